/** What a model family provides to the trainer and to inference. */
import type * as tf from '@tensorflow/tfjs';
import type { BundleFiles } from '../bundle/bundle-format.ts';
import type { Hyperparameters, ModelFamily } from '../hyperparameters.ts';
import type { Random } from '../random.ts';
import type { DatasetMetadata, ImageShape, UseCase } from '@lathe/contract';

export type { DatasetMetadata };

/** Input/output schema of a model version, stored with it. */
export interface ModelSignature {
  useCase: UseCase;
  family: ModelFamily;
  inputs: { name: string; type: string; description: string }[];
  outputs: { name: string; type: string; description: string }[];
  labels?: string[];
  /** Binary classifiers: the predicted label is class 1 when its probability is over this (default 0.5). */
  decisionThreshold?: number;
}

/** The JSON-able preprocessing state of a family (vocabulary, normalisation, id maps…). */
export type Preprocessing = Record<string, unknown>;

/** A model being trained. */
export interface TrainableModel {
  /** One optimisation step; returns the batch's metrics (including `loss`). */
  trainBatch(rows: unknown[], random: Random): Promise<Record<string, number>>;
  /** Metrics of a validation batch, named without the `val` prefix; null when the family has none. */
  evaluateBatch(rows: unknown[], random: Random): Promise<Record<string, number>> | null;
  setLearningRate(learningRate: number): void;
  snapshotWeights(): tf.Tensor[];
  restoreWeights(weights: tf.Tensor[]): void;
  /** Model files for a checkpoint or the final bundle. */
  files(): Promise<BundleFiles>;
  dispose(): void;
}

export interface Prediction {
  label?: string;
  probabilities?: Record<string, number>;
  score?: number;
  /** True when an unknown id made the model fall back (popularity, global mean). */
  fallback?: boolean;
}

/** One top-k question to a recommender. */
export interface RecommendRequest {
  user: string;
  k: number;
  /** Items never to return. */
  exclude?: string[];
  /** Rank only these items (those the model knows); all known items when absent. */
  candidates?: string[];
  /** Leave out what the user interacted with in the training split. */
  excludeSeen?: boolean;
}

/** A top-k list: ranked by the model, or by popularity for a user the model never saw. */
export interface Recommendation {
  basis: 'model' | 'popularity';
  items: { item: string; score: number }[];
}

/**
 * One batch of rows encoded for a classifier whose probabilities are differentiable in its
 * input (what FGSM and integrated gradients need): `x` in the model's own input scale, and the
 * class probabilities as a function of a tensor shaped like `x`.
 */
export interface DifferentiableBatch {
  x: tf.Tensor;
  /** [n, classes]: the model's softmax on `x` (the rest of the rows' inputs held fixed). */
  probabilities(x: tf.Tensor): tf.Tensor2D;
  /** Same shape as `x`: 1 where a value may be perturbed, 0 where not; absent: every value. */
  perturbable?: tf.Tensor;
  dispose(): void;
}

/** A classifier's differentiable view (image CNN, tabular MLP): gradients w.r.t. its input. */
export interface DifferentiableClassifier {
  labels: string[];
  /** Binary classifiers with a tuned threshold: class 1 when its probability is over it. */
  decisionThreshold?: number;
  /** The range of the input values, for clipping perturbed inputs; null: unbounded. */
  inputRange: { min: number; max: number } | null;
  /** What one unit of `x` is, for stating ε (e.g. "pixel / 255"). */
  inputScale: string;
  encode(rows: unknown[]): DifferentiableBatch;
}

/** A model loaded for inference. */
export interface Predictor {
  predict(rows: unknown[]): Promise<Prediction[]>;
  recommend?(
    user: string,
    k: number,
    options?: Omit<RecommendRequest, 'user' | 'k'>,
  ): Promise<{ item: string; score: number; fallback: boolean }[]>;
  /** Several top-k lists from one model call (the gateway's micro-batches). */
  recommendBatch?(requests: RecommendRequest[]): Promise<Recommendation[]>;
  generate?(count: number, seed?: number): Promise<{ shape: ImageShape; images: Uint8Array[] }>;
  /** Classifiers differentiable in their input. */
  differentiable?: DifferentiableClassifier;
  dispose(): void;
}

/**
 * A model family, generic over its preprocessing `P`: what `prepare` returns is what `create`,
 * `signature`, `extraFiles` and `load` are given (the trainer passes it on, a bundle stores it
 * as preprocessing.json), so a family reads its own preprocessing typed.
 */
export interface FamilyDefinition<P extends Preprocessing = Preprocessing> {
  useCase: UseCase;
  /** One pass over the training split: vocabularies, id maps, normalisation statistics. */
  prepare(rows: AsyncIterable<unknown>, metadata: DatasetMetadata, hp: Hyperparameters): Promise<P>;
  /** A fresh model, or one restored from checkpoint files. */
  create(prep: P, hp: Hyperparameters, seed: number, files?: BundleFiles): Promise<TrainableModel>;
  signature(prep: P, hp: Hyperparameters): Omit<ModelSignature, 'family'>;
  /** Extra files for the final bundle (generated samples). */
  extraFiles?(model: TrainableModel, prep: P, hp: Hyperparameters, seed: number): Promise<BundleFiles>;
  load(files: BundleFiles, prep: P, hp: Hyperparameters): Promise<Predictor>;
}
