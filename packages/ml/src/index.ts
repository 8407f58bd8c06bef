export * from './backend/select-backend.ts';
export {
  registerTrainingKernels,
  restoreStockKernels,
  stockKernel,
  LATHE_KERNELS,
} from './backend/kernels/register-kernels.ts';
export * from './hyperparameters.ts';
export type {
  DatasetMetadata,
  DifferentiableBatch,
  DifferentiableClassifier,
  ModelSignature,
  Prediction,
  Preprocessing,
  Recommendation,
  RecommendRequest,
} from './families/types.ts';
export { train } from './training/train.ts';
export type {
  EpochMetrics,
  ModelBundle,
  TrainHooks,
  TrainOptions,
  TrainResult,
  TrainingRecord,
} from './training/train.ts';
export { reproduceTraining, type Reproduction, type ReproduceOptions } from './training/reproduce.ts';
export { compareWeights, type TensorDifference, type WeightsComparison } from './training/compare-weights.ts';
export { weightsDigest, type TensorDigest, type WeightsDigest } from './training/weights-digest.ts';
export { backendDeterminism, type BackendDeterminism } from './backend/determinism.ts';
export { lockfileSha256 } from './training/lockfile-sha256.ts';
export { loadModel } from './inference/load-model.ts';
export type { LoadedModel } from './inference/load-model.ts';
export { checkInstances, type InstanceProblem } from './inference/check-instances.ts';
export { serializeBundle, deserializeBundle, sha256Hex } from './bundle/bundle-format.ts';
export type { BundleFiles } from './bundle/bundle-format.ts';
export { tokenize } from './preprocessing/tokenizer.ts';
export { seededRandom } from './random.ts';
// Evaluation metrics and the gate (src/metrics, src/evaluation) are exported by their owner here.
/** The package's own tfjs instance (one tfjs-core per process), for benchmarks and callers that build tensors. */
export * as tf from '@tensorflow/tfjs';
export * from './metrics/index.ts';
export * from './evaluation/index.ts';
export * from './sweep/search-space.ts';
export * from './sweep/rank-trials.ts';
export { metricMode } from './training/early-stopping.ts';
export { permutationImportance, type FeatureImportance } from './explain/permutation-importance.ts';
export { integratedGradients, type IntegratedGradients } from './explain/integrated-gradients.ts';
export {
  explainTabularPrediction,
  type FeatureContribution,
  type PredictionExplanation,
} from './explain/shapley-sampling.ts';
export * from './sweep/folds.ts';
export { explainImagePrediction, type ImageAttribution } from './explain/image-attributions.ts';
export {
  explainTextPrediction,
  type TokenAttribution,
  type TokenContribution,
} from './explain/token-occlusion.ts';
export {
  ganAugmentationRows,
  generatedImages,
  withExtraRows,
  type GanAugmentation,
} from './training/generated-images.ts';
