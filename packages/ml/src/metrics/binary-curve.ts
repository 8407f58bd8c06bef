/**
 * The counting core of ROC and precision-recall curves, as scikit-learn's `_binary_clf_curve`
 * (sklearn/metrics/_ranking.py, 1.2): sort by score, descending; keep one point per DISTINCT
 * score (the last row of each run of tied scores), so tied rows enter the curve together. That is
 * how ties are handled: a group of tied scores with p positives and n negatives moves the curve by
 * (n, p) in one diagonal step, which the trapezoidal AUC credits as half right, half wrong.
 */
import type { Labels } from './inputs.ts';
import { assertBinaryLabels, assertFinite, assertSameLength } from './inputs.ts';

export interface BinaryCurveCounts {
  /** False positives among rows scoring ≥ thresholds[i]. */
  readonly fps: Float64Array;
  /** True positives among rows scoring ≥ thresholds[i]. */
  readonly tps: Float64Array;
  /** Distinct scores, decreasing. */
  readonly thresholds: Float64Array;
}

/** Row indices ordered by decreasing score. */
export function descendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (scores[b] as number) - (scores[a] as number));
}

export function binaryCurveCounts(yTrue: Labels, scores: ArrayLike<number>): BinaryCurveCounts {
  assertSameLength(yTrue, scores, 'y_true', 'y_score');
  assertBinaryLabels(yTrue);
  assertFinite(scores, 'y_score');
  const order = descendingOrder(scores);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    tp += yTrue[i] as number;
    const next = order[r + 1];
    // A threshold sits at the last row of each run of equal scores (np.diff(y_score) != 0).
    if (next === undefined || scores[next] !== scores[i]) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thresholds.push(scores[i] as number);
    }
  }
  return {
    fps: Float64Array.from(fps),
    tps: Float64Array.from(tps),
    thresholds: Float64Array.from(thresholds),
  };
}
