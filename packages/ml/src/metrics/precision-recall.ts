/**
 * Precision-recall curve and average precision, mirroring scikit-learn 1.2's
 * `precision_recall_curve` and `average_precision_score`.
 */
import type { Labels, ScoreMatrixInput } from './inputs.ts';
import { assertLabels, assertSameLength, toScoreMatrix } from './inputs.ts';
import type { BinaryCurveCounts } from './binary-curve.ts';
import { binaryCurveCounts } from './binary-curve.ts';
import type { MetricValue, UndefinedMetric } from './metric-value.ts';
import { isUndefinedMetric, undefinedMetric } from './metric-value.ts';
import { averageOverClasses } from './roc.ts';

export interface PrecisionRecallCurve {
  /** precision[i] at thresholds[i]; the last entry is 1 with no threshold (sklearn's convention). */
  readonly precision: Float64Array;
  /** Decreasing; the last entry is 0. */
  readonly recall: Float64Array;
  /** Distinct scores, increasing. */
  readonly thresholds: Float64Array;
}

/**
 * sklearn.metrics.precision_recall_curve (1.2): one point per distinct score (ties enter
 * together), precision = tp / (tp + fp), recall = tp / P, listed by increasing threshold, ending
 * with the point (recall 0, precision 1). Every threshold is kept (1.2 has no drop_intermediate).
 * Undefined when y_true has no positive (sklearn sets recall to 1 everywhere and warns).
 */
export function precisionRecallCurve(
  yTrue: Labels,
  scores: ArrayLike<number>,
): PrecisionRecallCurve | UndefinedMetric {
  return precisionRecallFromCounts(binaryCurveCounts(yTrue, scores));
}

export function precisionRecallFromCounts(counts: BinaryCurveCounts): PrecisionRecallCurve | UndefinedMetric {
  const { fps, tps, thresholds } = counts;
  if (tps.length === 0)
    return undefinedMetric('empty_input', 'precision-recall curve is undefined on 0 rows');
  const positives = tps[tps.length - 1]!;
  if (positives === 0)
    return undefinedMetric('no_positive', 'precision-recall curve is undefined: y_true has no positive row');
  const n = tps.length;
  const precision = new Float64Array(n + 1);
  const recall = new Float64Array(n + 1);
  const th = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const i = n - 1 - r; // reversed: increasing thresholds, decreasing recall
    const predicted = tps[i]! + fps[i]!;
    precision[r] = predicted === 0 ? 0 : tps[i]! / predicted;
    recall[r] = tps[i]! / positives;
    th[r] = thresholds[i]!;
  }
  precision[n] = 1;
  recall[n] = 0;
  return { precision, recall, thresholds: th };
}

/**
 * Average precision AP = Σ_n (R_n − R_{n−1}) P_n (sklearn.metrics.average_precision_score): the
 * step-wise sum over the precision-recall curve's distinct thresholds, NOT the interpolated
 * (trapezoid or 11-point) area, which is optimistic (Davis & Goadrich 2006). Undefined when y_true
 * has no positive (scikit-learn 1.2 warns and returns 0, which would read as a terrible model).
 */
export function averagePrecision(yTrue: Labels, scores: ArrayLike<number>): MetricValue {
  return averagePrecisionFromCurve(precisionRecallCurve(yTrue, scores));
}

export function averagePrecisionFromCurve(curve: PrecisionRecallCurve | UndefinedMetric): MetricValue {
  if (isUndefinedMetric(curve))
    return { ...curve, reason: curve.reason.replace('precision-recall curve', 'average precision') };
  let ap = 0;
  for (let i = 0; i < curve.precision.length - 1; i++)
    ap -= (curve.recall[i + 1]! - curve.recall[i]!) * curve.precision[i]!;
  return ap;
}

/**
 * Multiclass average precision, one-vs-rest (sklearn.metrics.average_precision_score on
 * label_binarize(y_true, classes=range(C)), average "macro" or "weighted" by support). Undefined
 * when a class has no row in y_true (scikit-learn would count that class as 0).
 */
export function averagePrecisionOvr(
  yTrue: Labels,
  scoresIn: ScoreMatrixInput,
  average: 'macro' | 'weighted' = 'macro',
): MetricValue {
  const { rows, cols, data } = toScoreMatrix(scoresIn);
  assertSameLength(yTrue, { length: rows }, 'y_true', 'y_score');
  assertLabels(yTrue, cols);
  if (rows === 0) return undefinedMetric('empty_input', 'average precision is undefined on 0 rows');
  return averageOverClasses(
    yTrue,
    data,
    rows,
    cols,
    average,
    averagePrecision,
    'one-vs-rest average precision',
  );
}
