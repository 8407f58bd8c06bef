/**
 * Whether a larger value of a metric is better. The gate needs it to read "change vs baseline"
 * (a drop of AUC is a regression, a drop of RMSE an improvement) and the comparison to say which
 * model is better. Keys are metric names without their "@k" suffix.
 */
export type MetricDirection = 'higher' | 'lower';

const HIGHER = [
  'accuracy',
  'balancedAccuracy',
  'precision',
  'recall',
  'f1',
  'precisionMacro',
  'recallMacro',
  'f1Macro',
  'precisionMicro',
  'recallMicro',
  'f1Micro',
  'precisionWeighted',
  'recallWeighted',
  'f1Weighted',
  'auc',
  'aucWeighted',
  'averagePrecision',
  'captureTop5',
  'captureTop10',
  'captureTop20',
  'liftTop5',
  'liftTop10',
  'liftTop20',
  'r2',
  'precision@',
  'recall@',
  'hitRate@',
  'map@',
  'ndcg@',
  'coverage@',
  // Generative models: the two-sample test's p-value, high when real and generated look alike.
  'c2stPValue',
] as const;
// `loss` and `valLoss`: the training curves' losses (the dashboard compares them too).
// `c2stAccuracy`, `c2stZ`: how well a classifier tells generated images from real ones (0.5 and 0
// when it cannot), so a better generator lowers them; `frechetDistance`, the FID formula between
// real and generated image features, 0 for identical samples.
const LOWER = [
  'mse',
  'rmse',
  'mae',
  'logLoss',
  'brier',
  'ece',
  'loss',
  'valLoss',
  'c2stAccuracy',
  'c2stZ',
  'frechetDistance',
] as const;

/** Direction of a known metric, or undefined for one this table does not know. */
export function metricDirection(metric: string): MetricDirection | undefined {
  const at = metric.indexOf('@');
  const key = at >= 0 ? metric.slice(0, at + 1) : metric;
  if ((HIGHER as readonly string[]).includes(key)) return 'higher';
  if ((LOWER as readonly string[]).includes(key)) return 'lower';
  if (/^top\d+Accuracy$/.test(metric)) return 'higher';
  return undefined;
}
