/** Regression summary: mse, rmse, mae, r2 (definitions in metrics/regression.ts). */
import { RegressionAccumulator, partitionMetrics } from '../metrics/index.ts';
import type { EvaluationSummary } from './summary.ts';

export interface RegressionInput {
  readonly yTrue: ArrayLike<number>;
  readonly yPred: ArrayLike<number>;
}

export function evaluateRegression(input: RegressionInput | RegressionAccumulator): EvaluationSummary {
  const accumulator =
    input instanceof RegressionAccumulator
      ? input
      : new RegressionAccumulator().add(input.yTrue, input.yPred);
  const { mse, rmse, mae, r2 } = accumulator.result();
  return {
    kind: 'regression',
    rows: accumulator.count,
    ...partitionMetrics({ mse, rmse, mae, r2 }),
    curves: {},
  };
}
