/**
 * Loads a model version's bundle for evaluate and serve: verifies the sha256, restores the
 * preprocessing state stored at training time, and predicts with exactly that preprocessing.
 * Unknown users/items fall back to popularity, unknown words to the OOV id; never a crash.
 */
import { deserializeBundle, readJsonFile } from '../bundle/bundle-format.ts';
import { families } from '../families/index.ts';
import type {
  DifferentiableClassifier,
  ModelSignature,
  Prediction,
  Predictor,
  Preprocessing,
  Recommendation,
  RecommendRequest,
} from '../families/types.ts';
import type { Hyperparameters, ModelFamily } from '../hyperparameters.ts';
import type { ImageShape } from '@lathe/contract';

export interface LoadedModel {
  signature: ModelSignature;
  preprocessing: Preprocessing;
  training: {
    family: ModelFamily;
    hyperparameters: Hyperparameters;
    seed: number;
    backend: { name: string; version: string; threads: number };
  };
  predict(batch: unknown[]): Promise<Prediction[]>;
  /** Recommenders only: top-k items for a user (popularity for unknown users). */
  recommend(
    user: string,
    k: number,
    options?: Omit<RecommendRequest, 'user' | 'k'>,
  ): Promise<{ item: string; score: number; fallback: boolean }[]>;
  /** Recommenders only: several top-k lists from one model call. */
  recommendBatch(requests: RecommendRequest[]): Promise<Recommendation[]>;
  /** Generative models only. */
  generate(count: number, seed?: number): Promise<{ shape: ImageShape; images: Uint8Array[] }>;
  /** Classifiers differentiable in their input (image CNN, tabular MLP); null for the others. */
  differentiable: DifferentiableClassifier | null;
  dispose(): void;
}

export async function loadModel(
  bundle: Uint8Array,
  options: { expectedSha256?: string } = {},
): Promise<LoadedModel> {
  const files = deserializeBundle(bundle, options);
  const signature = readJsonFile<ModelSignature>(files, 'signature.json');
  const preprocessing = readJsonFile<Preprocessing>(files, 'preprocessing.json');
  const training = readJsonFile<LoadedModel['training']>(files, 'training.json');
  const predictor: Predictor = await families[training.family].load(
    files,
    preprocessing,
    training.hyperparameters,
  );
  const unsupported = (what: string) => () =>
    Promise.reject(new Error(`${what} is not available for a ${signature.family} model`));
  return {
    signature,
    preprocessing,
    training,
    predict: (batch) => (batch.length === 0 ? Promise.resolve([]) : predictor.predict(batch)),
    recommend: predictor.recommend?.bind(predictor) ?? unsupported('recommend'),
    recommendBatch: predictor.recommendBatch?.bind(predictor) ?? unsupported('recommend'),
    generate: predictor.generate?.bind(predictor) ?? unsupported('generate'),
    differentiable: predictor.differentiable ?? null,
    dispose: () => predictor.dispose(),
  };
}
