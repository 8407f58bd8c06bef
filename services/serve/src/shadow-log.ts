/**
 * Shadow comparisons on their way to the registry: summed per shadow deployment in memory and
 * added to it every `flushMs` (recordShadowComparisons), so a mirrored request never waits on
 * Postgres. A failed write keeps its sums for the next one; they are statistics of a
 * candidate, not events, so a write whose commit is unknown may count a few answers twice.
 */
import type { Logger } from '@lathe/core';
import { recordShadowComparisons, type Registry, type ShadowComparisonDelta } from '@lathe/registry';
import { addComparison, emptyComparison } from './shadow-comparison.ts';

export interface ShadowLog {
  add(deploymentId: string, delta: ShadowComparisonDelta): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createShadowLog(deps: { registry: Registry; flushMs: number; logger: Logger }): ShadowLog {
  let pending = new Map<string, ShadowComparisonDelta>();
  let writing: Promise<void> = Promise.resolve();

  const add = (into: Map<string, ShadowComparisonDelta>, id: string, delta: ShadowComparisonDelta) => {
    let sums = into.get(id);
    if (!sums) into.set(id, (sums = emptyComparison()));
    addComparison(sums, delta);
  };

  const write = async () => {
    const batch = pending;
    pending = new Map();
    const left = new Map(batch);
    try {
      for (const [id, delta] of batch) {
        await recordShadowComparisons(deps.registry, id, delta);
        left.delete(id);
      }
    } catch (error) {
      for (const [id, delta] of left) add(pending, id, delta);
      throw error;
    }
  };
  const flush = () => (writing = writing.catch(() => undefined).then(write));

  const timer = setInterval(() => {
    flush().catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'shadow comparisons not written; retrying'),
    );
  }, deps.flushMs);
  timer.unref();

  return {
    add: (id, delta) => add(pending, id, delta),
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
