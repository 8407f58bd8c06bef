/**
 * Regression metrics, mirroring scikit-learn 1.2 (`mean_squared_error`, `mean_absolute_error`,
 * `r2_score`), computed by a streaming accumulator so a 100k-row evaluation holds O(1) state.
 */
import { assertFinite, assertSameLength } from './inputs.ts';
import type { MetricValue } from './metric-value.ts';
import { undefinedMetric } from './metric-value.ts';

export interface RegressionMetrics {
  /** (1/N) Σ (y − ŷ)² (sklearn.metrics.mean_squared_error). */
  readonly mse: MetricValue;
  /** √MSE (mean_squared_error(squared=False)). */
  readonly rmse: MetricValue;
  /** (1/N) Σ |y − ŷ| (sklearn.metrics.mean_absolute_error). */
  readonly mae: MetricValue;
  /**
   * R² = 1 − Σ (y − ŷ)² / Σ (y − ȳ)² (sklearn.metrics.r2_score, force_finite=True: when y is
   * constant, 1 if the predictions are perfect, else 0). Undefined below 2 rows (sklearn: NaN).
   */
  readonly r2: MetricValue;
}

/**
 * Running sums for regression metrics. Σ(y − ȳ)² uses Welford's update (Welford 1962; Chan,
 * Golub & LeVeque 1983 to merge), which stays accurate where the textbook Σy² − (Σy)²/N cancels;
 * the residual sums are compensated (Kahan–Neumaier).
 */
export class RegressionAccumulator {
  private n = 0;
  private meanY = 0;
  private m2Y = 0;
  private sse = 0;
  private sseC = 0;
  private sae = 0;
  private saeC = 0;

  add(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): this {
    assertSameLength(yTrue, yPred, 'y_true', 'y_pred');
    assertFinite(yTrue, 'y_true');
    assertFinite(yPred, 'y_pred');
    for (let i = 0; i < yTrue.length; i++) {
      const y = yTrue[i] as number;
      const residual = y - (yPred[i] as number);
      this.n += 1;
      const delta = y - this.meanY;
      this.meanY += delta / this.n;
      this.m2Y += delta * (y - this.meanY);
      [this.sse, this.sseC] = neumaier(this.sse, this.sseC, residual * residual);
      [this.sae, this.saeC] = neumaier(this.sae, this.saeC, Math.abs(residual));
    }
    return this;
  }

  get count(): number {
    return this.n;
  }

  result(): RegressionMetrics {
    const n = this.n;
    if (n === 0) {
      const empty = undefinedMetric('empty_input', 'regression metrics are undefined on 0 rows');
      return { mse: empty, rmse: empty, mae: empty, r2: empty };
    }
    const sse = this.sse + this.sseC;
    const mse = sse / n;
    let r2: MetricValue;
    if (n < 2) r2 = undefinedMetric('too_few_samples', 'R² is undefined with fewer than 2 rows');
    else if (this.m2Y === 0) r2 = sse === 0 ? 1 : 0;
    else r2 = 1 - sse / this.m2Y;
    return { mse, rmse: Math.sqrt(mse), mae: (this.sae + this.saeC) / n, r2 };
  }
}

function neumaier(sum: number, c: number, v: number): [number, number] {
  const t = sum + v;
  return [t, c + (Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum)];
}

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  return new RegressionAccumulator().add(yTrue, yPred).result();
}

export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): MetricValue {
  return regressionMetrics(yTrue, yPred).mse;
}

export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): MetricValue {
  return regressionMetrics(yTrue, yPred).rmse;
}

export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): MetricValue {
  return regressionMetrics(yTrue, yPred).mae;
}

export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): MetricValue {
  return regressionMetrics(yTrue, yPred).r2;
}
