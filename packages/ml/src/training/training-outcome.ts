/**
 * What a training run ended with, in words a user can check: which epoch's weights the model
 * version carries and why, and whether the run overfitted. Pure functions over the epoch history.
 */
import type { DecisionThresholdChoice, OverfittingSignal, TrainingOutcome } from '@lathe/contract';
import type { EarlyStoppingState } from './early-stopping.ts';

export type EpochHistory = readonly Record<string, number>[];
export type { DecisionThresholdChoice, OverfittingSignal, TrainingOutcome };

/** Epochs in a row of "validation loss up, training loss down" that count as overfitting. */
export const OVERFITTING_STREAK = 3;

/**
 * The last streak of at least `streak` consecutive epochs in which validation loss rose while
 * training loss fell: the divergence of the two curves Prechelt (1998) stops on ("generalisation
 * loss"), counted per epoch so a single noisy epoch does not raise the flag.
 */
export function detectOverfitting(
  history: EpochHistory,
  streak: number = OVERFITTING_STREAK,
): OverfittingSignal | null {
  let found: OverfittingSignal | null = null;
  let run = 0;
  for (let i = 1; i < history.length; i++) {
    const previous = history[i - 1]!;
    const current = history[i]!;
    const diverging =
      Number.isFinite(current.valLoss) &&
      Number.isFinite(previous.valLoss) &&
      Number.isFinite(current.loss) &&
      Number.isFinite(previous.loss) &&
      current.valLoss! > previous.valLoss! &&
      current.loss! < previous.loss!;
    run = diverging ? run + 1 : 0;
    if (run >= streak) {
      const fromEpoch = i + 2 - run; // epochs are 1-based; the streak's first rise is at index i - run + 1
      const toEpoch = i + 1;
      const first = history[fromEpoch - 2]!;
      found = {
        fromEpoch,
        toEpoch,
        epochs: run,
        message:
          `overfitting: validation loss rose for ${run} epochs in a row (epochs ${fromEpoch}–${toEpoch}, ` +
          `${first.valLoss!.toPrecision(3)} → ${current.valLoss!.toPrecision(3)}) while training loss fell ` +
          `(${first.loss!.toPrecision(3)} → ${current.loss!.toPrecision(3)}); try fewer epochs, earlyStopping, dropout or l2`,
      };
    }
  }
  return found;
}

/**
 * Use cases whose validation loss does not rank epochs for what the model is judged on: a
 * recommender's is a loss on sampled negatives (NDCG can keep improving while it rises), a GAN's
 * has no meaning. They keep their last weights unless early stopping names a metric.
 */
const LAST_EPOCH_USE_CASES = new Set(['recommendation', 'generative']);

/** The metric the kept weights are chosen on: early stopping's, else validation loss. */
export function keptWeightsMonitor(
  earlyStopping: { metric: string } | null,
  firstEpoch: Record<string, number> | undefined,
  useCase?: string,
): string | null {
  if (earlyStopping === null && useCase !== undefined && LAST_EPOCH_USE_CASES.has(useCase)) return null;
  const metric = earlyStopping?.metric ?? 'valLoss';
  return firstEpoch !== undefined && Number.isFinite(firstEpoch[metric]) ? metric : null;
}

export function describeOutcome(input: {
  history: EpochHistory;
  monitor: string | null;
  kept: EarlyStoppingState;
  stoppedEarly: boolean;
}): TrainingOutcome {
  const epochsRun = input.history.length;
  const overfitting = detectOverfitting(input.history);
  if (input.monitor === null || input.kept.bestEpoch === null || input.kept.best === null) {
    return {
      keptEpoch: epochsRun,
      epochsRun,
      monitor: null,
      monitorValue: null,
      reason:
        input.history[0]?.valLoss !== undefined
          ? `last epoch (${epochsRun}): this model's validation loss does not rank epochs for its use; set earlyStopping with a metric to keep the best epoch instead`
          : `last epoch (${epochsRun}): there is no validation metric to choose an epoch on`,
      overfitting,
    };
  }
  const { bestEpoch, best } = input.kept;
  const stop = input.stoppedEarly ? `early stopping ended the run after epoch ${epochsRun}; ` : '';
  const reason =
    bestEpoch === epochsRun
      ? `${stop}epoch ${bestEpoch} of ${epochsRun} had the best ${input.monitor} (${best.toPrecision(4)}): the last weights are kept`
      : `${stop}epoch ${bestEpoch} of ${epochsRun} had the best ${input.monitor} (${best.toPrecision(4)}): its weights were restored from the snapshot of that epoch`;
  return {
    keptEpoch: bestEpoch,
    epochsRun,
    monitor: input.monitor,
    monitorValue: best,
    reason,
    overfitting,
  };
}
