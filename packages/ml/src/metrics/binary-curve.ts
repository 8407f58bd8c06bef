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

/**
 * Positives' and negatives' scores are sorted separately with the native typed-array sort (no
 * comparator: about 10× faster than sorting row indices) and merged from the top; each distinct
 * score takes every row at that score, positive or negative, which is the tie rule above.
 */
export function binaryCurveCounts(yTrue: Labels, scores: ArrayLike<number>): BinaryCurveCounts {
  assertSameLength(yTrue, scores, 'y_true', 'y_score');
  assertBinaryLabels(yTrue);
  assertFinite(scores, 'y_score');
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) positives += yTrue[i] as number;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(yTrue.length - positives);
  for (let i = 0, ip = 0, ineg = 0; i < yTrue.length; i++) {
    if (yTrue[i] === 1) pos[ip++] = scores[i] as number;
    else neg[ineg++] = scores[i] as number;
  }
  pos.sort();
  neg.sort();
  const fps = new Float64Array(yTrue.length);
  const tps = new Float64Array(yTrue.length);
  const thresholds = new Float64Array(yTrue.length);
  let points = 0;
  let ip = pos.length - 1;
  let ineg = neg.length - 1;
  while (ip >= 0 || ineg >= 0) {
    const threshold = Math.max(ip >= 0 ? pos[ip]! : -Infinity, ineg >= 0 ? neg[ineg]! : -Infinity);
    while (ip >= 0 && pos[ip] === threshold) ip--;
    while (ineg >= 0 && neg[ineg] === threshold) ineg--;
    tps[points] = pos.length - 1 - ip;
    fps[points] = neg.length - 1 - ineg;
    thresholds[points++] = threshold;
  }
  return {
    fps: fps.subarray(0, points),
    tps: tps.subarray(0, points),
    thresholds: thresholds.subarray(0, points),
  };
}
