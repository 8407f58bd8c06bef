/**
 * Periodic recovery for one process per installation (the ingest worker runs it): schedulers
 * re-created from the Schedule rows, runs that lost their jobs re-enqueued. Both are idempotent,
 * so running it in several processes is safe, only wasteful.
 */
import type { Pipeline } from './pipeline.ts';

export function startRecoveryLoop(
  pipeline: Pipeline,
  options: { intervalMs?: number; olderThanMs?: number } = {},
): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await pipeline.reconcileSchedules();
      const result = await pipeline.reconcileRuns(
        options.olderThanMs !== undefined ? { olderThanMs: options.olderThanMs } : {},
      );
      if (result.requeued.length > 0)
        pipeline.logger.warn({ requeued: result.requeued }, 'recovery re-enqueued runs');
    } catch (error) {
      pipeline.logger.error({ err: error }, 'recovery pass failed');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
