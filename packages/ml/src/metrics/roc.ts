/**
 * ROC curve and the area under it, mirroring scikit-learn 1.2's `roc_curve` and `roc_auc_score`.
 */
import type { Labels, ScoreMatrixInput } from './inputs.ts';
import { assertLabels, assertSameLength, toScoreMatrix } from './inputs.ts';
import type { BinaryCurveCounts } from './binary-curve.ts';
import { binaryCurveCounts } from './binary-curve.ts';
import type { MetricValue, UndefinedMetric } from './metric-value.ts';
import { isUndefinedMetric, undefinedMetric } from './metric-value.ts';
import { ValidationError } from '@lathe/core';

export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  /**
   * Decreasing. thresholds[0] = max score + 1 (the extra point that starts the curve at (0, 0)),
   * as scikit-learn 1.2 (1.3+ writes +Infinity there, which JSON cannot hold).
   */
  readonly thresholds: Float64Array;
}

/**
 * ROC curve of a binary problem (sklearn.metrics.roc_curve): one point per distinct score (ties
 * enter together, see binary-curve.ts), then, with `dropIntermediate` (sklearn's default), the
 * points that are collinear with their neighbours are dropped: a point is kept where the second
 * difference of fps or of tps is non-zero, plus the two ends. Dropping them changes no AUC.
 *
 * Undefined (sklearn returns NaN rates with an UndefinedMetricWarning) when y_true lacks positives
 * or negatives.
 */
export function rocCurve(
  yTrue: Labels,
  scores: ArrayLike<number>,
  options: { dropIntermediate?: boolean } = {},
): RocCurve | UndefinedMetric {
  return rocCurveFromCounts(binaryCurveCounts(yTrue, scores), options);
}

/** rocCurve from counts already made (the evaluate stage reuses them for the PR curve). */
export function rocCurveFromCounts(
  counts: BinaryCurveCounts,
  options: { dropIntermediate?: boolean } = {},
): RocCurve | UndefinedMetric {
  const undefinedReason = singleClassReason(counts.tps, counts.fps, 'ROC curve');
  if (undefinedReason) return undefinedReason;
  let { fps, tps, thresholds } = counts;
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const secondFps = fps[i + 1]! - 2 * fps[i]! + fps[i - 1]!;
      const secondTps = tps[i + 1]! - 2 * tps[i]! + tps[i - 1]!;
      if (secondFps !== 0 || secondTps !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (i) => fps[i]!);
    tps = Float64Array.from(keep, (i) => tps[i]!);
    thresholds = Float64Array.from(keep, (i) => thresholds[i]!);
  }
  const n = fps.length + 1;
  const fpr = new Float64Array(n);
  const tpr = new Float64Array(n);
  const th = new Float64Array(n);
  const negatives = fps[fps.length - 1]!;
  const positives = tps[tps.length - 1]!;
  th[0] = thresholds[0]! + 1;
  for (let i = 1; i < n; i++) {
    fpr[i] = fps[i - 1]! / negatives;
    tpr[i] = tps[i - 1]! / positives;
    th[i] = thresholds[i - 1]!;
  }
  return { fpr, tpr, thresholds: th };
}

function singleClassReason(tps: Float64Array, fps: Float64Array, what: string): UndefinedMetric | null {
  if (tps.length === 0) return undefinedMetric('empty_input', `${what} is undefined on 0 rows`);
  const positives = tps[tps.length - 1]!;
  const negatives = fps[fps.length - 1]!;
  if (positives === 0)
    return undefinedMetric(
      'single_class',
      `${what} is undefined: y_true has no positive row (only class 0 present)`,
    );
  if (negatives === 0)
    return undefinedMetric(
      'single_class',
      `${what} is undefined: y_true has no negative row (only class 1 present)`,
    );
  return null;
}

/** Trapezoidal rule Σ (x[i+1] − x[i]) (y[i] + y[i+1]) / 2 (sklearn.metrics.auc, np.trapz). */
export function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++)
    area += (((x[i] as number) - (x[i - 1] as number)) * ((y[i] as number) + (y[i - 1] as number))) / 2;
  return area;
}

/**
 * Binary ROC AUC (sklearn.metrics.roc_auc_score): trapezoidal area under `rocCurve`. Ties between
 * a positive and a negative count 1/2, as in the Mann–Whitney U statistic AUC = U / (n₊ n₋).
 * Undefined, not NaN and not a throw, when only one class is present (sklearn raises ValueError
 * "Only one class present in y_true. ROC AUC score is not defined in that case.").
 */
export function rocAuc(yTrue: Labels, scores: ArrayLike<number>): MetricValue {
  const curve = rocCurve(yTrue, scores);
  if (isUndefinedMetric(curve)) return { ...curve, reason: curve.reason.replace('ROC curve', 'ROC AUC') };
  return trapezoid(curve.fpr, curve.tpr);
}

/**
 * Tolerance of numpy.allclose(1, row sum) that scikit-learn applies before a multiclass AUC
 * ("Target scores need to be probabilities for multiclass roc_auc").
 */
export function assertRowsSumToOne(data: Float64Array, rows: number, cols: number, name = 'y_score'): void {
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += data[i * cols + j]!;
    if (!(Math.abs(1 - sum) <= 1e-8 + 1e-5 * Math.abs(sum))) {
      throw new ValidationError(
        `${name} row ${i} sums to ${sum}; multiclass AUC needs probabilities that sum to 1 over classes`,
        {
          row: i,
          sum,
        },
      );
    }
  }
}

/** Column `c` of a row-major matrix and the one-vs-rest labels [y = c]. */
export function oneVsRest(
  yTrue: Labels,
  data: Float64Array,
  rows: number,
  cols: number,
  c: number,
): { labels: Uint8Array; scores: Float64Array } {
  const labels = new Uint8Array(rows);
  const scores = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    labels[i] = yTrue[i] === c ? 1 : 0;
    scores[i] = data[i * cols + c]!;
  }
  return { labels, scores };
}

/**
 * One-vs-rest ROC AUC of a multiclass problem (sklearn.metrics.roc_auc_score, multi_class="ovr",
 * labels=range(C)): the binary AUC of each class against the rest, averaged without weights
 * ("macro") or weighted by each class's support ("weighted"). Undefined when a class has no row
 * in y_true (its one-vs-rest AUC is; sklearn raises), with that class in the reason.
 */
export function rocAucOvr(
  yTrue: Labels,
  scoresIn: ScoreMatrixInput,
  average: 'macro' | 'weighted' = 'macro',
): MetricValue {
  const { rows, cols, data } = toScoreMatrix(scoresIn);
  assertSameLength(yTrue, { length: rows }, 'y_true', 'y_score');
  assertLabels(yTrue, cols);
  if (rows === 0) return undefinedMetric('empty_input', 'ROC AUC is undefined on 0 rows');
  assertRowsSumToOne(data, rows, cols);
  return averageOverClasses(yTrue, data, rows, cols, average, rocAuc, 'one-vs-rest ROC AUC');
}

/** Shared by the one-vs-rest AUC and average precision. */
export function averageOverClasses(
  yTrue: Labels,
  data: Float64Array,
  rows: number,
  cols: number,
  average: 'macro' | 'weighted',
  binaryMetric: (labels: Uint8Array, scores: Float64Array) => MetricValue,
  what: string,
): MetricValue {
  let weightedSum = 0;
  let weightTotal = 0;
  for (let c = 0; c < cols; c++) {
    const { labels, scores } = oneVsRest(yTrue, data, rows, cols, c);
    const support = labels.reduce((a, b) => a + b, 0);
    if (support === 0 || support === rows) {
      return undefinedMetric(
        'single_class',
        `${what} is undefined: class ${c} ${support === 0 ? 'has no row' : 'is the only class'} in y_true`,
      );
    }
    const value = binaryMetric(labels, scores);
    if (isUndefinedMetric(value)) return value;
    const weight = average === 'macro' ? 1 : support;
    weightedSum += value * weight;
    weightTotal += weight;
  }
  return weightedSum / weightTotal;
}
