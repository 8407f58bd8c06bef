/**
 * The train stage. Until @lathe/ml's training loop lands, the placeholder walks the epochs of
 * the run's hyperparameters, checking for a cancel between epochs and recording a per-epoch
 * metric and progress, as the real loop will; it registers no model version. The real handler
 * replaces `trainHandler` in main.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StageHandler } from '@lathe/queues';
import { appendRunMetrics } from '@lathe/registry';

export function createTrainHandler(options: { epochDelayMs?: number } = {}): StageHandler {
  return async (ctx) => {
    const epochs = Math.max(1, Math.min(1000, Number(ctx.hyperparameters.epochs ?? 1) || 1));
    for (let epoch = 1; epoch <= epochs; epoch++) {
      await ctx.throwIfStopped();
      if (options.epochDelayMs) await sleep(options.epochDelayMs, undefined, { signal: ctx.signal });
      await appendRunMetrics(ctx.registry, ctx.runId, [{ name: 'placeholder_loss', step: epoch, value: 1 / epoch }]);
      await ctx.reportProgress(epoch / epochs);
    }
    return { placeholder: true, datasetVersionId: ctx.run.datasetVersionId, epochs };
  };
}

export const trainHandler: StageHandler = createTrainHandler();
