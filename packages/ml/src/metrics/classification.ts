/**
 * Classification metrics over integer class labels 0..C-1, each mirroring the scikit-learn 1.2
 * function named in its comment (reference values: packages/ml/reference/metrics-reference.json).
 * Class sets are always explicit (`numClasses`): this equals scikit-learn called with
 * `labels=range(C)`, so a class absent from a slice still counts in macro averages.
 */
import type { Labels, ScoreMatrix, ScoreMatrixInput } from './inputs.ts';
import { assertLabels, assertSameLength, inferNumClasses, stableSum, toScoreMatrix } from './inputs.ts';
import type { MetricValue, UndefinedMetric } from './metric-value.ts';
import { undefinedMetric } from './metric-value.ts';
import { ValidationError } from '@lathe/core';

function emptyInput(metric: string): UndefinedMetric {
  return undefinedMetric('empty_input', `${metric} is undefined on 0 rows`);
}

/**
 * C×C confusion matrix, rows = true class, columns = predicted class
 * (sklearn.metrics.confusion_matrix with labels=range(C)).
 */
export function confusionMatrix(
  yTrue: Labels,
  yPred: Labels,
  numClasses = inferNumClasses(yTrue, yPred),
): number[][] {
  assertSameLength(yTrue, yPred, 'y_true', 'y_pred');
  assertLabels(yTrue, numClasses, 'y_true');
  assertLabels(yPred, numClasses, 'y_pred');
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) (matrix[yTrue[i] as number] as number[])[yPred[i] as number]! += 1;
  return matrix;
}

/** Fraction of rows whose prediction equals the label (sklearn.metrics.accuracy_score). */
export function accuracy(yTrue: Labels, yPred: Labels): MetricValue {
  assertSameLength(yTrue, yPred, 'y_true', 'y_pred');
  if (yTrue.length === 0) return emptyInput('accuracy');
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

export interface PrecisionRecallF1 {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface ClassScores extends PrecisionRecallF1 {
  readonly label: number;
  /** Rows whose true class is `label`. */
  readonly support: number;
  /** Rows predicted as `label`. */
  readonly predicted: number;
}

export interface PrecisionRecallF1Report {
  readonly perClass: readonly ClassScores[];
  /** Unweighted mean over the C classes. */
  readonly macro: PrecisionRecallF1;
  /** From the pooled counts Σtp, Σfp, Σfn; equals accuracy for single-label multiclass. */
  readonly micro: PrecisionRecallF1;
  /** Mean over classes weighted by support. */
  readonly weighted: PrecisionRecallF1;
}

/**
 * precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2PR / (P + R), per class and averaged
 * (sklearn.metrics.precision_recall_fscore_support, labels=range(C), zero_division="warn"):
 * a ratio with a zero denominator is 0 (sklearn's value, with its UndefinedMetricWarning), and
 * F1 is 0 where P + R = 0. The report is computed from the confusion matrix alone, so the streaming
 * accumulator gives the same values.
 */
export function precisionRecallF1(
  yTrue: Labels,
  yPred: Labels,
  numClasses = inferNumClasses(yTrue, yPred),
): PrecisionRecallF1Report | UndefinedMetric {
  return precisionRecallF1FromConfusion(confusionMatrix(yTrue, yPred, numClasses));
}

function divideOrZero(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function f1Of(precision: number, recall: number): number {
  const denominator = precision + recall;
  return denominator === 0 ? 0 : (2 * precision * recall) / denominator;
}

export function precisionRecallF1FromConfusion(
  matrix: readonly (readonly number[])[],
): PrecisionRecallF1Report | UndefinedMetric {
  const c = matrix.length;
  const support = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const total = support.reduce((a, b) => a + b, 0);
  if (total === 0) return emptyInput('precision/recall/F1');
  const predicted = Array.from({ length: c }, (_, j) => matrix.reduce((sum, row) => sum + (row[j] ?? 0), 0));
  const perClass: ClassScores[] = [];
  let tpSum = 0;
  for (let k = 0; k < c; k++) {
    const tp = matrix[k]?.[k] ?? 0;
    tpSum += tp;
    const precision = divideOrZero(tp, predicted[k]!);
    const recall = divideOrZero(tp, support[k]!);
    perClass.push({
      label: k,
      precision,
      recall,
      f1: f1Of(precision, recall),
      support: support[k]!,
      predicted: predicted[k]!,
    });
  }
  const mean = (pick: (s: ClassScores) => number, weight: (s: ClassScores) => number): number => {
    const w = perClass.reduce((sum, s) => sum + weight(s), 0);
    return perClass.reduce((sum, s) => sum + pick(s) * weight(s), 0) / w;
  };
  const average = (weight: (s: ClassScores) => number): PrecisionRecallF1 => ({
    precision: mean((s) => s.precision, weight),
    recall: mean((s) => s.recall, weight),
    f1: mean((s) => s.f1, weight),
  });
  const predictedTotal = predicted.reduce((a, b) => a + b, 0);
  const microPrecision = divideOrZero(tpSum, predictedTotal);
  const microRecall = divideOrZero(tpSum, total);
  return {
    perClass,
    macro: average(() => 1),
    micro: { precision: microPrecision, recall: microRecall, f1: f1Of(microPrecision, microRecall) },
    weighted: average((s) => s.support),
  };
}

/** Index of the largest score; the first one on ties (numpy.argmax, tf.argMax). */
export function argmaxRows(scores: ScoreMatrix): Int32Array {
  const out = new Int32Array(scores.rows);
  for (let i = 0; i < scores.rows; i++) {
    let best = 0;
    let bestValue = scores.data[i * scores.cols]!;
    for (let j = 1; j < scores.cols; j++) {
      const v = scores.data[i * scores.cols + j]!;
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * Fraction of rows whose true class is among the k highest scores
 * (sklearn.metrics.top_k_accuracy_score, multiclass). Ties as scikit-learn: it sorts with a stable
 * argsort and reverses, so among equal scores the class with the larger index ranks first. A row
 * is a hit when fewer than k classes rank above its true class.
 */
export function topKAccuracy(yTrue: Labels, scoresIn: ScoreMatrixInput, k: number): MetricValue {
  const scores = toScoreMatrix(scoresIn);
  assertSameLength(yTrue, { length: scores.rows }, 'y_true', 'y_score');
  assertLabels(yTrue, scores.cols);
  if (!Number.isInteger(k) || k < 1)
    throw new ValidationError(`top-k accuracy needs an integer k ≥ 1, got ${k}`);
  if (scores.rows === 0) return emptyInput(`top-${k} accuracy`);
  let hits = 0;
  for (let i = 0; i < scores.rows; i++)
    if (topKHit(scores.data, i * scores.cols, scores.cols, yTrue[i] as number, k)) hits++;
  return hits / scores.rows;
}

/** Whether `label` ranks in the top k of the row starting at `offset` (ties: larger index first). */
export function topKHit(
  data: ArrayLike<number>,
  offset: number,
  cols: number,
  label: number,
  k: number,
): boolean {
  const own = data[offset + label] as number;
  let above = 0;
  for (let j = 0; j < cols; j++) {
    const v = data[offset + j] as number;
    if (v > own || (v === own && j > label)) above++;
  }
  return above < k;
}

/** float64 machine epsilon, numpy.finfo(np.float64).eps: log_loss's clipping bound. */
export const FLOAT64_EPS = 2 ** -52;

/**
 * Mean negative log-likelihood −(1/N) Σ log p̂(y_i) (sklearn.metrics.log_loss, eps="auto",
 * labels=range(C)). As scikit-learn: probabilities are clipped to [eps, 1−eps] and each row is then
 * renormalised to sum to 1. `scores` is an N×C probability matrix, or for binary problems a vector
 * of P(class 1). eps is float64's; scikit-learn uses float32's eps for float32 arrays, so values
 * on float32 outputs agree to about 1e-7 (the tests allow 1e-6 there).
 */
export function logLoss(
  yTrue: Labels,
  scoresIn: ScoreMatrixInput | ArrayLike<number>,
  eps = FLOAT64_EPS,
): MetricValue {
  const scores = asProbabilityMatrix(scoresIn);
  assertSameLength(yTrue, { length: scores.rows }, 'y_true', 'y_prob');
  assertLabels(yTrue, scores.cols);
  if (scores.rows === 0) return emptyInput('log loss');
  const losses = new Float64Array(scores.rows);
  for (let i = 0; i < scores.rows; i++)
    losses[i] = rowLogLoss(scores.data, i * scores.cols, scores.cols, yTrue[i] as number, eps);
  return stableSum(losses) / scores.rows;
}

/** −log of the clipped, renormalised probability of `label` in one row. */
export function rowLogLoss(
  data: ArrayLike<number>,
  offset: number,
  cols: number,
  label: number,
  eps = FLOAT64_EPS,
): number {
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += clip(data[offset + j] as number, eps);
  return -Math.log(clip(data[offset + label] as number, eps) / sum);
}

function clip(p: number, eps: number): number {
  return Math.min(Math.max(p, eps), 1 - eps);
}

/** A binary probability vector becomes the N×2 matrix [1 − p, p], as scikit-learn does. */
export function asProbabilityMatrix(scores: ScoreMatrixInput | ArrayLike<number>): ScoreMatrix {
  if (isVector(scores)) {
    const data = new Float64Array(scores.length * 2);
    for (let i = 0; i < scores.length; i++) {
      const p = scores[i] as number;
      if (!Number.isFinite(p))
        throw new ValidationError(`y_prob[${i}] is ${p}; scores must be finite numbers`, { index: i });
      data[2 * i] = 1 - p;
      data[2 * i + 1] = p;
    }
    return { rows: scores.length, cols: 2, data };
  }
  return toScoreMatrix(scores, 'y_prob');
}

function isVector(scores: ScoreMatrixInput | ArrayLike<number>): scores is ArrayLike<number> {
  if (ArrayBuffer.isView(scores)) return true;
  if (Array.isArray(scores)) return scores.length === 0 || typeof scores[0] === 'number';
  return false;
}

/**
 * Binary Brier score (1/N) Σ (p_i − y_i)² with p = P(class 1) (sklearn.metrics.brier_score_loss).
 */
export function brierScore(yTrue: Labels, probPositive: ArrayLike<number>): MetricValue {
  assertSameLength(yTrue, probPositive, 'y_true', 'y_prob');
  assertLabels(yTrue, 2);
  if (yTrue.length === 0) return emptyInput('Brier score');
  const squares = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    const p = probPositive[i] as number;
    if (!(p >= 0 && p <= 1))
      throw new ValidationError(`y_prob[${i}] is ${p}; probabilities must lie in [0, 1]`, { index: i });
    squares[i] = (p - (yTrue[i] as number)) ** 2;
  }
  return stableSum(squares) / yTrue.length;
}

/**
 * Multiclass Brier score, Brier (1950): (1/N) Σ_i Σ_c (p_ic − [y_i = c])². scikit-learn 1.2 has
 * binary only (1.7's multiclass brier_score_loss computes this sum); the reference is computed
 * with numpy. Note it is twice the binary score on a 2-column matrix.
 */
export function brierScoreMulticlass(yTrue: Labels, scoresIn: ScoreMatrixInput): MetricValue {
  const scores = toScoreMatrix(scoresIn, 'y_prob');
  assertSameLength(yTrue, { length: scores.rows }, 'y_true', 'y_prob');
  assertLabels(yTrue, scores.cols);
  if (scores.rows === 0) return emptyInput('Brier score');
  const rowSums = new Float64Array(scores.rows);
  for (let i = 0; i < scores.rows; i++)
    rowSums[i] = rowBrier(scores.data, i * scores.cols, scores.cols, yTrue[i] as number);
  return stableSum(rowSums) / scores.rows;
}

export function rowBrier(data: ArrayLike<number>, offset: number, cols: number, label: number): number {
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += ((data[offset + j] as number) - (j === label ? 1 : 0)) ** 2;
  return sum;
}
