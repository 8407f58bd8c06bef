/** Early stopping on a validation metric with patience (Prechelt 1998, "Early stopping — but when?"). */
import { ValidationError } from '@lathe/core';

export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number | null;
  wait: number;
}

export function initialEarlyStopping(): EarlyStoppingState {
  return { best: null, bestEpoch: null, wait: 0 };
}

/** Loss-like metrics are minimised, the rest maximised, unless `mode` says otherwise. */
export function metricMode(metric: string, mode?: 'min' | 'max'): 'min' | 'max' {
  if (mode !== undefined) return mode;
  return /loss|rmse|mae|mse|error/i.test(metric) ? 'min' : 'max';
}

export function updateEarlyStopping(
  state: EarlyStoppingState,
  config: { metric: string; mode?: 'min' | 'max' | undefined; patience: number; minDelta: number },
  epoch: number,
  metrics: Record<string, number>,
): { state: EarlyStoppingState; improved: boolean; stop: boolean } {
  const value = metrics[config.metric];
  if (value === undefined || !Number.isFinite(value)) {
    throw new ValidationError(
      `hyperparameters.earlyStopping.metric: ${JSON.stringify(config.metric)} is not an epoch metric of this model; available: ${Object.keys(metrics).join(', ')}`,
      { field: 'hyperparameters.earlyStopping.metric', available: Object.keys(metrics) },
      'invalid_hyperparameters',
    );
  }
  const mode = metricMode(config.metric, config.mode);
  const improved =
    state.best === null ||
    (mode === 'min' ? value < state.best - config.minDelta : value > state.best + config.minDelta);
  const next = improved ? { best: value, bestEpoch: epoch, wait: 0 } : { ...state, wait: state.wait + 1 };
  return { state: next, improved, stop: next.wait >= config.patience };
}
