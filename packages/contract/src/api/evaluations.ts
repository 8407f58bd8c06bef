/** Evaluations: a model version scored on a held-out split, with the gate's verdict. */
import { z } from 'zod';
import { anyObject, paginationQuery, timestamp } from './common.ts';

export const gateVerdictSchema = z
  .enum(['passed', 'failed', 'overridden'])
  .describe("the gate's verdict; `overridden`: failed, then overridden by an admin with a reason");

/** A point of a stored curve (ROC: x = FPR, y = TPR; PR: x = recall, y = precision). */
export const curvePointSchema = z.object({
  x: z.number().describe('ROC: false positive rate; PR: recall; lift/gains: share of rows targeted'),
  y: z.number().describe('ROC: true positive rate; PR: precision; lift/gains: lift or share of positives'),
  threshold: z.number().optional().describe('the score threshold of this point'),
});

/** A calibration bin: empty bins carry no means. */
export const calibrationBinSchema = z.object({
  lower: z.number().describe('lower edge of the predicted-probability bin'),
  upper: z.number().describe('upper edge of the bin'),
  count: z.number().int().describe('rows whose prediction fell in the bin'),
  empty: z.boolean().describe('true when no row fell in the bin'),
  meanPredicted: z.number().optional().describe('mean predicted probability in the bin'),
  fractionPositive: z.number().optional().describe('observed share of positives in the bin'),
});

export const classSummarySchema = z.object({
  label: z.number().int().describe('the class index'),
  name: z.string().describe('the class label'),
  support: z.number().int().describe('rows of this class'),
  predicted: z.number().int().describe('rows predicted as this class'),
  precision: z.number().describe('precision of this class'),
  recall: z.number().describe('recall of this class'),
  f1: z.number().describe('F1 of this class'),
  auc: z.number().optional().describe('one-vs-rest ROC AUC of this class'),
});

/**
 * The curves the evaluate stage stores. Every field is optional: regression and ranking
 * evaluations have none of them, and `lift` / `gains` (x = share of rows targeted, best scores
 * first) only exist where the evaluation computed them.
 */
export const evaluationCurvesSchema = z.object({
  roc: z.array(curvePointSchema).optional().describe('binary ROC curve'),
  pr: z.array(curvePointSchema).optional().describe('binary precision-recall curve'),
  rocPerClass: z
    .array(
      z.object({
        label: z.number().int().describe('the class index'),
        name: z.string().describe('the class label'),
        points: z.array(curvePointSchema).describe('its one-vs-rest ROC curve'),
      }),
    )
    .optional()
    .describe('one-vs-rest ROC curve per class'),
  calibration: z.array(calibrationBinSchema).optional().describe('reliability diagram bins'),
  perClass: z.array(classSummarySchema).optional().describe('metrics per class'),
  confusionMatrix: z
    .array(z.array(z.number()))
    .optional()
    .describe("rows = true class, columns = predicted class (sklearn's confusion_matrix)"),
  lift: z.array(curvePointSchema).optional().describe('lift by share of rows targeted'),
  gains: z.array(curvePointSchema).optional().describe('cumulative gains by share of rows targeted'),
  gainsTable: z
    .array(
      z.object({
        fraction: z.number().describe('share of rows targeted, best scores first (0.1: the top decile)'),
        rows: z.number().int().describe('rows in that share: ceil(fraction × rows)'),
        positives: z.number().int().describe('positives among them'),
        capture: z.number().describe('share of all positives among them (cumulative gain)'),
        precision: z.number().describe('positive rate among them'),
        lift: z.number().describe('capture ÷ share of rows; 1 is random targeting'),
        threshold: z.number().describe('the lowest score among them'),
      }),
    )
    .optional()
    .describe('binary: the gains table at 5%, 10%, 20% … 100% of rows'),
  popularityBaseline: z
    .object({
      metrics: z.record(z.string(), z.number()).describe('the metrics of recommending the best-sellers'),
      comparison: z
        .record(
          z.string(),
          z.object({
            model: z.number().describe("the model's value"),
            baseline: z.number().describe("the best-sellers' value"),
            delta: z.number().describe('model − baseline'),
            lift: z.number().optional().describe('model ÷ baseline, when the baseline is not 0'),
          }),
        )
        .describe('metric → the model against the best-sellers'),
    })
    .optional()
    .describe('ranking: the same metrics of recommending the most popular items, and the model against them'),
});

/** One segment of the test split with its own metrics. */
export const evaluationSliceSchema = z.union([
  z.object({
    segment: z.string().describe('the segment'),
    count: z.literal(0).describe('no row fell in it'),
    empty: z.literal(true).describe('no row fell in it'),
  }),
  z.object({
    segment: z.string().describe('the segment'),
    count: z.number().int().describe('rows in it'),
    empty: z.literal(false).describe('rows fell in it'),
    metrics: z.record(z.string(), z.number()).describe('metrics on its rows'),
  }),
]);

export const featureImportanceSchema = z.object({
  feature: z.string().describe('the feature (tabular) or token (text)'),
  mean: z.number().describe('mean drop of the metric when it is permuted'),
  std: z.number().describe('standard deviation over the repeats'),
  low: z.number().describe('2.5% of the repeats'),
  high: z.number().describe('97.5% of the repeats'),
  repeats: z.number().int().describe('permutations averaged'),
});
export const permutationImportanceSchema = z.object({
  method: z.literal('permutation_importance').describe('how importance is measured'),
  over: z.enum(['features', 'tokens']).describe('what is permuted: tabular features or text tokens'),
  metric: z.literal('accuracy').describe('the metric whose drop is measured'),
  rows: z.number().int().describe('test rows it was computed on'),
  repeats: z.number().int().describe('permutations per feature'),
  baseline: z.number().describe('the metric with nothing permuted'),
  importances: z.array(featureImportanceSchema).describe('most important first'),
});
export const classAttributionMapSchema = z.object({
  label: z.string().describe('the class'),
  images: z.number().int().describe('test images of this class averaged'),
  map: z
    .array(z.number())
    .describe(
      "mean attribution to the class's probability per pixel (height × width, row-major, channels summed)",
    ),
});
export const pixelAttributionsSchema = z.object({
  method: z.literal('integrated_gradients').describe('how attributions are computed'),
  over: z.literal('pixels').describe('what is attributed: the pixels of images'),
  baseline: z.literal('black').describe('the reference image the path starts from'),
  rows: z.number().int().describe('test images it was computed on, all classes together'),
  steps: z.number().int().describe('integrated-gradient steps per image'),
  shape: z
    .object({
      width: z.number().int().describe('image width'),
      height: z.number().int().describe('image height'),
      channels: z.number().int().describe('channels per pixel'),
    })
    .describe('the image shape the maps have (height × width)'),
  classes: z.array(classAttributionMapSchema).describe('one averaged attribution map per class'),
});
export const globalExplanationSchema = z
  .discriminatedUnion('method', [permutationImportanceSchema, pixelAttributionsSchema])
  .describe('tabular and text: permutation importance; images: per-class averaged pixel attributions');
export type GlobalExplanationResponse = z.infer<typeof globalExplanationSchema>;
export type PermutationImportanceResponse = z.infer<typeof permutationImportanceSchema>;
export type PixelAttributionsResponse = z.infer<typeof pixelAttributionsSchema>;

export const evaluationSchema = z
  .object({
    id: z.uuid().describe('the evaluation id'),
    modelVersionId: z.uuid().describe('the model version scored'),
    datasetVersionId: z.uuid().describe('the dataset version it was scored on'),
    split: z.string().describe('the split it was scored on, e.g. `test`'),
    runId: z.uuid().nullable().describe('the run whose evaluate stage made it'),
    metrics: anyObject.describe('held-out metrics by name'),
    curves: evaluationCurvesSchema
      .nullable()
      .optional()
      .describe('stored curves, per-class rows and confusion matrix'),
    slices: z.array(evaluationSliceSchema).nullable().optional().describe('metrics per segment of the split'),
    explanations: globalExplanationSchema
      .nullable()
      .optional()
      .describe(
        'global explanation of the model on this split (permutation importance; images: per-class attribution maps), when computed',
      ),
    verdict: gateVerdictSchema,
    reasons: z.unknown().describe('one reason per gate threshold'),
    baselineModelVersionId: z.uuid().nullable().describe('the production model version it was compared with'),
    baselineMetrics: anyObject.nullable().describe("the production model's metrics on the same split"),
    overrideReason: z.string().nullable().describe('why an admin overrode a failed verdict'),
    createdAt: timestamp.describe('when it was made'),
  })
  .meta({ id: 'Evaluation', description: 'a model version scored on held-out data, and the gate verdict' });

export const listEvaluationsQuery = paginationQuery.extend({
  modelVersionId: z.uuid().optional().describe('only evaluations of this model version'),
  runId: z.uuid().optional().describe('only evaluations made by this run'),
  datasetVersionId: z.uuid().optional().describe('only evaluations on this dataset version'),
  verdict: gateVerdictSchema.optional(),
});

export const compareEvaluationsQuery = z.object({
  a: z.uuid().describe('the first evaluation'),
  b: z.uuid().describe('the second evaluation (differences are b − a)'),
});

export const metricComparisonSchema = z.object({
  metric: z.string().describe('the metric'),
  a: z.number().nullable().describe('its value in a; null when a lacks it'),
  b: z.number().nullable().describe('its value in b; null when b lacks it'),
  difference: z.number().nullable().describe('b − a; null when either lacks it'),
  relative: z.number().nullable().describe('(b − a) / |a|; null when a is 0 or missing'),
});

export const evaluationComparisonSchema = z.object({
  a: evaluationSchema.describe('the first evaluation'),
  b: evaluationSchema.describe('the second evaluation'),
  sameData: z.boolean().describe('whether both were scored on the same dataset version and split'),
  metrics: z.array(metricComparisonSchema).describe('every metric of either, by name'),
});

export const overrideVerdictBody = z.strictObject({
  reason: z.string().min(10).max(2000).describe('why the failed verdict is overridden (audited)'),
});

export type GateVerdict = z.infer<typeof gateVerdictSchema>;
export type Evaluation = z.infer<typeof evaluationSchema>;
export type EvaluationCurves = z.infer<typeof evaluationCurvesSchema>;
export type EvaluationSlice = z.infer<typeof evaluationSliceSchema>;
export type CurvePoint = z.infer<typeof curvePointSchema>;
export type CalibrationBin = z.infer<typeof calibrationBinSchema>;
export type ClassSummary = z.infer<typeof classSummarySchema>;
export type EvaluationMetricComparison = z.infer<typeof metricComparisonSchema>;
export type EvaluationComparison = z.infer<typeof evaluationComparisonSchema>;
