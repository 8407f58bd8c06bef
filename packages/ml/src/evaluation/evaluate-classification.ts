/**
 * Classification summary: every metric the dashboard and the gate use, from one set of labels
 * and predicted probabilities (or a ClassificationAccumulator fed batch by batch).
 *
 * Metric names (the keys a gate threshold refers to):
 * - accuracy; precision/recall/f1: of class 1 for binary problems (sklearn's average="binary"),
 *   macro averages for multiclass; precisionMacro…f1Weighted for every average;
 * - auc: binary ROC AUC, or one-vs-rest macro AUC (aucWeighted: support-weighted);
 * - averagePrecision: binary AP, or one-vs-rest macro AP;
 * - logLoss, brier (binary: brier_score_loss; multiclass: Brier 1950's sum over classes), ece;
 * - top{k}Accuracy for multiclass problems with more than k classes;
 * - binary: captureTop5/10/20 and liftTop5/10/20, the cumulative gains table's headline rows
 *   (metrics/gains.ts), with every decile in curves.gains.
 * Predicted class: binary P(class 1) > threshold (0.5, strict, as scikit-learn's predict);
 * multiclass argmax (first on ties).
 */
import { ValidationError } from '@lathe/core';
import type { GainsRow, MetricValue, ScoreMatrix } from '../metrics/index.ts';
import {
  ClassificationAccumulator,
  accuracy,
  addToCalibrationCounts,
  argmaxRows,
  averagePrecision,
  brierScore,
  brierScoreMulticlass,
  calibrationFromCounts,
  confusionMatrix,
  downsampleCurve,
  emptyCalibrationCounts,
  isUndefinedMetric,
  logLoss,
  oneVsRest,
  partitionMetrics,
  precisionRecallCurve,
  precisionRecallF1FromConfusion,
  rocAuc,
  rocCurve,
  rocCurveFromCounts,
  trapezoid,
  binaryCurveCounts,
  assertRowsSumToOne,
  precisionRecallFromCounts,
  averagePrecisionFromCurve,
  toCurvePoints,
  topKAccuracy,
  undefinedMetric,
  MAX_CURVE_POINTS,
  gainsCurves,
  gainsMetrics,
  gainsTable,
} from '../metrics/index.ts';
import type { ClassCurve, ClassSummary, EvaluationSummary } from './summary.ts';

export interface ClassificationInput {
  readonly numClasses: number;
  readonly yTrue: ArrayLike<number>;
  /** Row-major N×C probabilities, or for binary N values of P(class 1). */
  readonly scores: ArrayLike<number>;
}

export interface ClassificationOptions {
  readonly classNames?: readonly string[];
  /** Binary decision threshold on P(class 1); default 0.5. */
  readonly threshold?: number;
  /** k values of top-k accuracy (multiclass; each k < C); default [3] when C > 3. */
  readonly topK?: readonly number[];
  readonly calibrationBins?: number;
  readonly maxCurvePoints?: number;
}

/** Normalises the input to labels and the stored score layout (1 column for binary, C otherwise). */
function normalise(input: ClassificationInput | ClassificationAccumulator): {
  numClasses: number;
  yTrue: ArrayLike<number>;
  scores: ScoreMatrix;
} {
  if (input instanceof ClassificationAccumulator)
    return { numClasses: input.numClasses, ...input.snapshot() };
  return normalise(
    new ClassificationAccumulator({ numClasses: input.numClasses }).add(input.yTrue, input.scores),
  );
}

/** The rows `indices` of a classification input: what a slice is evaluated on. */
export function selectClassificationRows(
  input: ClassificationInput | ClassificationAccumulator,
  indices: readonly number[],
): ClassificationInput {
  const { numClasses, yTrue, scores } = normalise(input);
  const cols = scores.cols;
  const ys = new Uint16Array(indices.length);
  const s = new Float64Array(indices.length * cols);
  indices.forEach((row, i) => {
    if (!(row >= 0 && row < scores.rows))
      throw new ValidationError(`slice row ${row} is outside 0..${scores.rows - 1}`);
    ys[i] = yTrue[row] as number;
    s.set(scores.data.subarray(row * cols, (row + 1) * cols), i * cols);
  });
  return { numClasses, yTrue: ys, scores: s };
}

export function evaluateClassification(
  input: ClassificationInput | ClassificationAccumulator,
  options: ClassificationOptions = {},
): EvaluationSummary {
  const { numClasses, yTrue, scores } = normalise(input);
  const names = Array.from({ length: numClasses }, (_, c) => options.classNames?.[c] ?? String(c));
  const maxPoints = options.maxCurvePoints ?? MAX_CURVE_POINTS;
  const binary = numClasses === 2;
  const threshold = options.threshold ?? 0.5;
  const rows = scores.rows;

  const yPred = binary ? Uint16Array.from(scores.data, (p) => (p > threshold ? 1 : 0)) : argmaxRows(scores);
  const matrix = confusionMatrix(yTrue, yPred, numClasses);
  const prf = precisionRecallF1FromConfusion(matrix);
  const values: Record<string, MetricValue> = { accuracy: accuracy(yTrue, yPred) };
  if (isUndefinedMetric(prf)) {
    for (const name of ['precision', 'recall', 'f1'])
      for (const avg of ['', 'Macro', 'Micro', 'Weighted']) values[name + avg] = prf;
  } else {
    const headline = binary ? prf.perClass[1]! : prf.macro;
    Object.assign(values, { precision: headline.precision, recall: headline.recall, f1: headline.f1 });
    for (const [avg, s] of [
      ['Macro', prf.macro],
      ['Micro', prf.micro],
      ['Weighted', prf.weighted],
    ] as const) {
      Object.assign(values, {
        [`precision${avg}`]: s.precision,
        [`recall${avg}`]: s.recall,
        [`f1${avg}`]: s.f1,
      });
    }
  }

  const curves: {
    roc?: ReturnType<typeof downsampleCurve>;
    pr?: ReturnType<typeof downsampleCurve>;
    rocPerClass?: ClassCurve[];
    calibration?: ReturnType<typeof calibrationFromCounts>['bins'];
    gains?: { x: number; y: number; threshold: number }[];
    lift?: { x: number; y: number; threshold: number }[];
    gainsTable?: GainsRow[];
  } = {};
  const calibration = emptyCalibrationCounts(options.calibrationBins ?? 10);
  const perClassAuc: (number | undefined)[] = new Array(numClasses).fill(undefined);

  if (binary) {
    const p = scores.data;
    values.auc = rocAuc(yTrue, p);
    values.averagePrecision = averagePrecision(yTrue, p);
    values.logLoss = logLoss(yTrue, p);
    values.brier = brierScore(yTrue, p);
    const gains = gainsTable(yTrue, p);
    if (isUndefinedMetric(gains)) {
      for (const percent of [5, 10, 20]) {
        values[`captureTop${percent}`] = gains;
        values[`liftTop${percent}`] = gains;
      }
    } else {
      Object.assign(values, gainsMetrics(gains));
      Object.assign(curves, gainsCurves(gains));
      curves.gainsTable = gains;
    }
    addToCalibrationCounts(calibration, yTrue, p);
    const roc = rocCurve(yTrue, p);
    if (!isUndefinedMetric(roc))
      curves.roc = downsampleCurve(toCurvePoints(roc.fpr, roc.tpr, roc.thresholds), maxPoints);
    const pr = precisionRecallCurve(yTrue, p);
    if (!isUndefinedMetric(pr))
      curves.pr = downsampleCurve(toCurvePoints(pr.recall, pr.precision, pr.thresholds), maxPoints);
    if (typeof values.auc === 'number') perClassAuc[1] = values.auc;
    const aucClass0 = rocAuc(
      Uint8Array.from(yTrue as ArrayLike<number>, (y) => 1 - y),
      Float64Array.from(p, (v) => 1 - v),
    );
    if (typeof aucClass0 === 'number') perClassAuc[0] = aucClass0;
  } else {
    const matrixInput = { data: scores.data, cols: numClasses };
    // One pass per class: the curve counts feed the ROC curve, the AUC and the average precision,
    // and the averages are taken as rocAucOvr / averagePrecisionOvr take them (same order, same values).
    if (rows > 0) assertRowsSumToOne(scores.data, rows, numClasses);
    const rocPerClass: ClassCurve[] = [];
    const sums = { auc: 0, aucWeighted: 0, ap: 0, weight: 0 };
    let undefinedReason: MetricValue | null =
      rows === 0 ? undefinedMetric('empty_input', 'ROC AUC is undefined on 0 rows') : null;
    for (let c = 0; c < numClasses; c++) {
      const { labels, scores: column } = oneVsRest(yTrue, scores.data, rows, numClasses, c);
      const support = labels.reduce((a, b) => a + b, 0);
      if ((support === 0 || support === rows) && undefinedReason === null) {
        undefinedReason = undefinedMetric(
          'single_class',
          `one-vs-rest metrics are undefined: class ${c} ${support === 0 ? 'has no row' : 'is the only class'} in y_true`,
        );
      }
      const counts = binaryCurveCounts(labels, column);
      const roc = rocCurveFromCounts(counts);
      if (isUndefinedMetric(roc)) continue;
      const auc = trapezoid(roc.fpr, roc.tpr);
      const ap = averagePrecisionFromCurve(precisionRecallFromCounts(counts)) as number;
      perClassAuc[c] = auc;
      sums.auc += auc;
      sums.aucWeighted += auc * support;
      sums.ap += ap;
      sums.weight += support;
      rocPerClass.push({
        label: c,
        name: names[c]!,
        points: downsampleCurve(toCurvePoints(roc.fpr, roc.tpr, roc.thresholds), maxPoints),
      });
    }
    values.auc = undefinedReason ?? sums.auc / numClasses;
    values.aucWeighted = undefinedReason ?? sums.aucWeighted / sums.weight;
    values.averagePrecision = undefinedReason ?? sums.ap / numClasses;
    values.logLoss = logLoss(yTrue, matrixInput);
    values.brier = brierScoreMulticlass(yTrue, matrixInput);
    for (const k of options.topK ?? (numClasses > 3 ? [3] : [])) {
      if (k >= numClasses) {
        throw new ValidationError(
          `top-${k} accuracy is meaningless with ${numClasses} classes (always 1); use k < ${numClasses}`,
        );
      }
      values[`top${k}Accuracy`] = topKAccuracy(yTrue, matrixInput, k);
    }
    // Top-label calibration: is the model right as often as its top probability says?
    const correct = Uint8Array.from(yPred, (pred, i) => (pred === yTrue[i] ? 1 : 0));
    const confidence = Float64Array.from(yPred, (pred, i) =>
      Math.min(1, Math.max(0, scores.data[i * numClasses + pred]!)),
    );
    addToCalibrationCounts(calibration, correct, confidence);
    curves.rocPerClass = rocPerClass;
  }
  const calibrationReport = calibrationFromCounts(calibration);
  values.ece = calibrationReport.ece;
  curves.calibration = calibrationReport.bins;
  if (rows === 0)
    for (const key of Object.keys(values))
      values[key] = undefinedMetric('empty_input', `${key} is undefined on 0 rows`);

  const perClass: ClassSummary[] = isUndefinedMetric(prf)
    ? []
    : prf.perClass.map((s) => ({
        label: s.label,
        name: names[s.label]!,
        support: s.support,
        predicted: s.predicted,
        precision: s.precision,
        recall: s.recall,
        f1: s.f1,
        ...(perClassAuc[s.label] === undefined ? {} : { auc: perClassAuc[s.label]! }),
      }));
  return {
    kind: 'classification',
    rows,
    ...partitionMetrics(values),
    curves,
    perClass,
    confusionMatrix: matrix,
  };
}
