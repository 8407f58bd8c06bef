/**
 * The shape an evaluation is stored in (Evaluation.metrics / curves / slices): plain JSON, with
 * no NaN and no Infinity anywhere; a metric that cannot be computed sits in `undefinedMetrics`
 * with its reason.
 */
import type { CalibrationBin, CurvePoint, GainsRow, UndefinedReasonCode } from '../metrics/index.ts';

export type UndefinedMetrics = Record<string, { code: UndefinedReasonCode; reason: string }>;

export interface ClassCurve {
  readonly label: number;
  readonly name: string;
  readonly points: readonly CurvePoint[];
}

export interface EvaluationCurves {
  /** Binary: x = false positive rate, y = true positive rate. ≤ 200 points. */
  readonly roc?: readonly CurvePoint[];
  /** Binary: x = recall, y = precision. ≤ 200 points. */
  readonly pr?: readonly CurvePoint[];
  /** Multiclass: one-vs-rest ROC per class (classes absent from the split are left out). */
  readonly rocPerClass?: readonly ClassCurve[];
  /** Binary: P(class 1); multiclass: top-label confidence (Guo et al. 2017). Empty bins marked. */
  readonly calibration?: readonly CalibrationBin[];
  /** Binary: cumulative gains (x = share of rows by descending score, y = share of positives). */
  readonly gains?: readonly CurvePoint[];
  /** Binary: lift at the same points (y = gains / x). */
  readonly lift?: readonly CurvePoint[];
  /** Binary: the table behind both, at 5%, 10%, 20% … 100% of rows. */
  readonly gainsTable?: readonly GainsRow[];
}

export interface ClassSummary {
  readonly label: number;
  readonly name: string;
  readonly support: number;
  readonly predicted: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** One-vs-rest ROC AUC; absent when the class has no row (or is the only one) in the split. */
  readonly auc?: number;
}

export interface EvaluationSummary {
  /** `generative`: the classifier two-sample test of generated against real test images. */
  readonly kind: 'classification' | 'regression' | 'ranking' | 'generative';
  readonly rows: number;
  readonly metrics: Record<string, number>;
  readonly undefinedMetrics: UndefinedMetrics;
  readonly curves: EvaluationCurves;
  readonly perClass?: readonly ClassSummary[];
  readonly confusionMatrix?: readonly (readonly number[])[];
}
