/**
 * Runs the rollout monitor every `intervalMs` until stopped. A failing pass is logged and the
 * next one tries again: a database blip must not end A/B tests or the worker. Each applied
 * decision that changes an endpoint's routing (advance, promote, roll back, stop) is announced
 * (`announce`: Redis pub/sub to the gateways), so it reaches them before their routing TTL.
 */
import type { Logger } from '@lathe/core';
import type { Registry } from '@lathe/registry';
import type { RolloutMetrics } from './rollout-metrics.ts';
import { monitorRollouts } from './rollout-monitor.ts';

export function startRolloutLoop(
  registry: Registry,
  options: {
    intervalMs: number;
    logger: Logger;
    metrics?: RolloutMetrics;
    announce?: (endpoint: string) => Promise<void>;
  },
): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    current = monitorRollouts(registry, { logger: options.logger })
      .then(async (results) => {
        options.metrics?.record(results);
        const changed = results.filter((r) => r.applied && r.decision.action !== 'hold');
        for (const endpoint of new Set(changed.map((r) => r.endpoint))) await options.announce?.(endpoint);
      })
      .catch((error: unknown) => options.logger.error({ err: error }, 'rollout monitor pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  timer = setTimeout(tick, options.intervalMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
