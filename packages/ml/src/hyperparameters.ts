/**
 * Hyperparameters per model family, validated with zod before a job is queued. Every error
 * names the field (`hyperparameters.learningRate: must be > 0`), so the API can show it.
 */
import { z } from 'zod';
import { ValidationError } from '@lathe/core';
import type { UseCase } from '@lathe/contract';

const positiveInt = (max: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be ≥ 1' })
    .max(max, { error: `must be ≤ ${max}` });
const nonNegative = z.number({ error: 'must be a number' }).min(0, { error: 'must be ≥ 0' });
const fraction = z
  .number({ error: 'must be a number' })
  .min(0, { error: 'must be ≥ 0' })
  .lt(1, { error: 'must be < 1' });
const layerSizes = z
  .array(positiveInt(4096), { error: 'must be a list of layer sizes' })
  .max(8, { error: 'at most 8 layers' });

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;

const learningRateSchedule = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('constant') }),
    // lr · gamma^floor(epoch / stepSize)
    z.strictObject({
      type: z.literal('step'),
      stepSize: positiveInt(10_000),
      gamma: z.number().gt(0).max(1),
    }),
    // lr · gamma^epoch
    z.strictObject({ type: z.literal('exponential'), gamma: z.number().gt(0).max(1) }),
    // SGDR without restarts (Loshchilov & Hutter 2017): min + (lr − min)·(1 + cos(π·epoch/epochs))/2
    z.strictObject({ type: z.literal('cosine'), minLearningRate: nonNegative.default(0) }),
  ],
  { error: 'must be {type: constant|step|exponential|cosine, …}' },
);

const earlyStopping = z.strictObject({
  /** A key of the epoch metrics, e.g. valLoss, valAccuracy, valRmse. */
  metric: z.string().min(1).default('valLoss'),
  mode: z.enum(['min', 'max'], { error: 'must be min or max' }).optional(),
  patience: positiveInt(1000).default(3),
  minDelta: nonNegative.default(0),
});

function common(defaults: {
  learningRate: number;
  batchSize: number;
  epochs: number;
  optimizer?: (typeof OPTIMIZERS)[number];
}) {
  return {
    epochs: positiveInt(10_000).default(defaults.epochs),
    batchSize: positiveInt(65_536).default(defaults.batchSize),
    learningRate: z
      .number({ error: 'must be a number' })
      .gt(0, { error: 'must be > 0' })
      .max(10, { error: 'must be ≤ 10' })
      .default(defaults.learningRate),
    optimizer: z
      .enum(OPTIMIZERS, { error: `must be one of ${OPTIMIZERS.join(', ')}` })
      .default(defaults.optimizer ?? 'adam'),
    /** Momentum for `momentum`, decay rate for `rmsprop`, β1 for `adam`. */
    momentum: fraction.default(0.9),
    lrSchedule: learningRateSchedule.default({ type: 'constant' }),
    l1: nonNegative.default(0),
    l2: nonNegative.default(0),
    dropout: fraction.default(0),
    earlyStopping: earlyStopping.nullable().default(null),
    checkpointEvery: positiveInt(10_000).default(1),
    /** Rows held for shuffling while streaming: bounds memory (tf.data's shuffle buffer). */
    shuffleBuffer: positiveInt(1_000_000).default(4096),
  };
}

const recommendation = {
  embeddingDim: positiveInt(1024).default(16),
  /** Implicit feedback (clicks): train positives against sampled negatives with a logistic loss. Defaults to "rating is null". */
  implicit: z.boolean().optional(),
  negativeSamples: z.number().int().min(0).max(100).default(4),
};

const text = {
  maxVocab: positiveInt(1_000_000).default(20_000),
  minCount: positiveInt(1_000_000).default(1),
  /** Sequences are padded or truncated to this many tokens. */
  maxLength: positiveInt(4096).default(64),
  embeddingDim: positiveInt(1024).default(32),
};

export const hyperparameterSchemas = {
  mf: z.strictObject({ ...common({ learningRate: 0.01, batchSize: 256, epochs: 10 }), ...recommendation }),
  ncf: z.strictObject({
    ...common({ learningRate: 0.005, batchSize: 256, epochs: 10 }),
    ...recommendation,
    hiddenUnits: layerSizes.default([32, 16]),
  }),
  cnn: z.strictObject({
    // Batch 32 / lr 0.002 / 128 hidden units: what reached 0.986 on the MNIST digits bench (bench/train-mnist.ts).
    ...common({ learningRate: 0.002, batchSize: 32, epochs: 5 }),
    depth: positiveInt(6).default(2),
    width: positiveInt(512).default(16),
    kernelSize: positiveInt(11).default(3),
    batchNorm: z.boolean().default(true),
    hiddenUnits: positiveInt(4096).default(128),
    /** Conv layers per block before its pooling (2: conv-conv-pool, as in VGG). */
    convsPerBlock: positiveInt(4).default(1),
    /** Augmentation: each training image is shifted by up to this many pixels per axis (seeded, per epoch); 0 turns it off. */
    maxShift: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be an integer' })
      .min(0, { error: 'must be ≥ 0' })
      .max(8, { error: 'must be ≤ 8' })
      .default(0),
  }),
  'embedding-pool': z.strictObject({
    ...common({ learningRate: 0.005, batchSize: 32, epochs: 10 }),
    ...text,
    hiddenUnits: positiveInt(4096).default(32),
  }),
  cnn1d: z.strictObject({
    ...common({ learningRate: 0.003, batchSize: 32, epochs: 10 }),
    ...text,
    filters: positiveInt(1024).default(64),
    kernelSize: positiveInt(15).default(3),
  }),
  lstm: z.strictObject({
    ...common({ learningRate: 0.005, batchSize: 32, epochs: 10 }),
    ...text,
    units: positiveInt(1024).default(32),
  }),
  gru: z.strictObject({
    ...common({ learningRate: 0.005, batchSize: 32, epochs: 10 }),
    ...text,
    units: positiveInt(1024).default(32),
  }),
  mlp: z.strictObject({
    ...common({ learningRate: 0.003, batchSize: 64, epochs: 20 }),
    hiddenUnits: layerSizes.default([64, 32]),
    /** Categorical columns keep their most frequent values up to this many; the rest share one "other" slot. */
    maxCategories: positiveInt(10_000).default(32),
    /** Categoricals with more values than this are embedded instead of one-hot encoded. */
    oneHotLimit: positiveInt(10_000).default(16),
    categoricalEmbeddingDim: positiveInt(256).default(4),
    classWeights: z
      .union([z.literal('none'), z.literal('balanced'), z.record(z.string(), z.number().gt(0))], {
        error: 'must be none, balanced or {label: weight > 0}',
      })
      .default('none'),
    /**
     * Binary targets: class 1 when its probability is over this. `auto`: 0.5 on a balanced target;
     * when the rarer class is under 25% of the rows, the F1-optimal threshold on the validation split.
     */
    decisionThreshold: z
      .union([z.literal('auto'), z.number().gt(0).lt(1)], { error: 'must be auto or a number in (0, 1)' })
      .default('auto'),
  }),
  dcgan: z.strictObject({
    ...common({ learningRate: 0.0002, batchSize: 64, epochs: 5 }),
    momentum: fraction.default(0.5), // Adam β1 = 0.5, as in the DCGAN paper
    latentDim: positiveInt(1024).default(32),
    width: positiveInt(512).default(32),
    sampleCount: positiveInt(256).default(16),
  }),
} as const;

export type ModelFamily = keyof typeof hyperparameterSchemas;
export type HyperparametersOf<F extends ModelFamily> = z.output<(typeof hyperparameterSchemas)[F]>;
export type Hyperparameters = HyperparametersOf<ModelFamily>;
export type CommonHyperparameters =
  HyperparametersOf<'mf'> extends infer H ? Omit<H, keyof typeof recommendation> : never;

export const MODEL_FAMILIES = Object.keys(hyperparameterSchemas) as ModelFamily[];

export const modelFamilies: Record<ModelFamily, { useCase: UseCase; description: string }> = {
  mf: {
    useCase: 'recommendation',
    description:
      'Matrix factorisation with user and item biases (Koren et al. 2009); explicit ratings or implicit feedback with negative sampling.',
  },
  ncf: {
    useCase: 'recommendation',
    description: 'Neural collaborative filtering: user and item embeddings through an MLP (He et al. 2017).',
  },
  cnn: {
    useCase: 'image',
    description:
      'Convolutional network: conv/pool blocks with batch norm, dropout, dense head; configurable depth and width.',
  },
  'embedding-pool': {
    useCase: 'nlp',
    description: 'Word embeddings averaged over the text, then a dense classifier (fastText-like).',
  },
  cnn1d: {
    useCase: 'nlp',
    description: '1-D convolution over word embeddings with global max pooling (Kim 2014).',
  },
  lstm: { useCase: 'nlp', description: 'Word embeddings through an LSTM.' },
  gru: { useCase: 'nlp', description: 'Word embeddings through a GRU.' },
  mlp: {
    useCase: 'tabular',
    description:
      'MLP on standardised numeric columns and one-hot or embedded categoricals; optional class weights.',
  },
  dcgan: {
    useCase: 'generative',
    description:
      'Small DCGAN (Radford et al. 2016) producing synthetic images; generator and discriminator losses logged.',
  },
};

/** The catalogue the API lists: family → use case, description and default hyperparameters. */
export function listModelFamilies(): {
  family: ModelFamily;
  useCase: UseCase;
  description: string;
  defaults: Hyperparameters;
}[] {
  return MODEL_FAMILIES.map((family) => ({
    family,
    ...modelFamilies[family],
    defaults: hyperparameterSchemas[family].parse({}) as Hyperparameters,
  }));
}

export function isModelFamily(value: string): value is ModelFamily {
  return Object.hasOwn(hyperparameterSchemas, value);
}

/** Validates and fills defaults; throws ValidationError naming each bad field. */
export function parseHyperparameters<F extends ModelFamily>(family: F, input: unknown): HyperparametersOf<F>;
export function parseHyperparameters(family: string, input: unknown): Hyperparameters;
export function parseHyperparameters(family: string, input: unknown): Hyperparameters {
  if (!isModelFamily(family)) {
    throw new ValidationError(
      `family: unknown model family ${JSON.stringify(family)}; use one of ${MODEL_FAMILIES.join(', ')}`,
      { field: 'family', value: family },
      'unknown_model_family',
    );
  }
  const result = hyperparameterSchemas[family].safeParse(input ?? {});
  if (result.success) return result.data as Hyperparameters;
  const issues = result.error.issues.map((issue) => {
    const field = ['hyperparameters', ...issue.path.map(String)].join('.');
    const message =
      issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
    return { field, message };
  });
  throw new ValidationError(
    issues.map((i) => `${i.field}: ${i.message}`).join('; '),
    { family, issues },
    'invalid_hyperparameters',
  );
}
