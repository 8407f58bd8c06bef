/**
 * Hyperparameters per model family, validated with zod before a job is queued. Every error
 * names the field (`hyperparameters.learningRate: must be > 0`), so the API can show it.
 */
import { z } from 'zod';
import { ValidationError } from '@lathe/core';
import type { UseCase } from '@lathe/contract';
import { closestName, fieldNamesAt } from './schema-fields.ts';

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
    z.strictObject({ type: z.literal('constant').describe('the learning rate throughout') }),
    z.strictObject({
      type: z.literal('step').describe('lr · gamma^floor(epoch / stepSize)'),
      stepSize: positiveInt(10_000).describe('epochs between two decays'),
      gamma: z.number().gt(0).max(1).describe('factor the learning rate is multiplied by at each decay'),
    }),
    z.strictObject({
      type: z.literal('exponential').describe('lr · gamma^epoch'),
      gamma: z.number().gt(0).max(1).describe('factor the learning rate is multiplied by each epoch'),
    }),
    z.strictObject({
      type: z
        .literal('cosine')
        .describe(
          'min + (lr − min)·(1 + cos(π·epoch/epochs))/2 (SGDR without restarts, Loshchilov & Hutter 2017)',
        ),
      minLearningRate: nonNegative.default(0).describe('the learning rate reached at the last epoch'),
    }),
  ],
  { error: 'must be {type: constant|step|exponential|cosine, …}' },
);

const earlyStopping = z.strictObject({
  metric: z
    .string()
    .min(1)
    .default('valLoss')
    .describe('the epoch metric watched, e.g. valLoss, valAccuracy, valRmse'),
  mode: z
    .enum(['min', 'max'], { error: 'must be min or max' })
    .optional()
    .describe('min or max: whether lower or higher is better (default: from the metric name)'),
  patience: positiveInt(1000)
    .default(3)
    .describe('epochs without improvement before training stops; the best epoch’s weights are kept'),
  minDelta: nonNegative.default(0).describe('the smallest change that counts as an improvement'),
});

function common(defaults: {
  learningRate: number;
  batchSize: number;
  epochs: number;
  optimizer?: (typeof OPTIMIZERS)[number];
}) {
  return {
    epochs: positiveInt(10_000)
      .default(defaults.epochs)
      .describe('passes over the training split (fewer when early stopping ends training)'),
    batchSize: positiveInt(65_536).default(defaults.batchSize).describe('rows per gradient step'),
    learningRate: z
      .number({ error: 'must be a number' })
      .gt(0, { error: 'must be > 0' })
      .max(10, { error: 'must be ≤ 10' })
      .default(defaults.learningRate)
      .describe('step size of the optimizer'),
    optimizer: z
      .enum(OPTIMIZERS, { error: `must be one of ${OPTIMIZERS.join(', ')}` })
      .default(defaults.optimizer ?? 'adam')
      .describe('sgd, momentum, adam or rmsprop'),
    momentum: fraction
      .default(0.9)
      .describe('momentum for `momentum`, decay rate for `rmsprop`, β1 for `adam`'),
    lrSchedule: learningRateSchedule
      .default({ type: 'constant' })
      .describe('how the learning rate changes by epoch: constant, step, exponential or cosine'),
    l1: nonNegative.default(0).describe('L1 penalty on the dense layers’ weights'),
    l2: nonNegative.default(0).describe('L2 penalty (weight decay) on the dense layers’ weights'),
    dropout: fraction
      .default(0)
      .describe('share of units dropped during training after each hidden layer, in [0, 1)'),
    earlyStopping: earlyStopping
      .nullable()
      .default(null)
      .describe(
        'stop when a validation metric stops improving ({metric, mode, patience, minDelta}); null trains every epoch',
      ),
    checkpointEvery: positiveInt(10_000)
      .default(1)
      .describe('epochs between checkpoints (a restarted job resumes from the last one)'),
    shuffleBuffer: positiveInt(1_000_000)
      .default(4096)
      .describe('rows held for shuffling while streaming; bounds memory'),
  };
}

const recommendation = {
  embeddingDim: positiveInt(1024).default(16).describe('size of each user and item embedding'),
  implicit: z
    .boolean()
    .optional()
    .describe(
      'true for clicks or views (positives against sampled negatives, logistic loss); default: true when every rating is null',
    ),
  negativeSamples: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(4)
    .describe('implicit feedback: sampled negative items per positive'),
};

const text = {
  maxVocab: positiveInt(1_000_000)
    .default(20_000)
    .describe('the most frequent words kept; the rest share one unknown token'),
  minCount: positiveInt(1_000_000).default(1).describe('words seen fewer times than this are unknown'),
  maxLength: positiveInt(4096)
    .default(64)
    .describe('tokens per text; longer texts are truncated, shorter padded'),
  embeddingDim: positiveInt(1024).default(32).describe('size of each word embedding'),
};

export const hyperparameterSchemas = {
  mf: z.strictObject({ ...common({ learningRate: 0.01, batchSize: 256, epochs: 10 }), ...recommendation }),
  ncf: z.strictObject({
    ...common({ learningRate: 0.005, batchSize: 256, epochs: 10 }),
    ...recommendation,
    hiddenUnits: layerSizes
      .default([32, 16])
      .describe('sizes of the MLP layers over the concatenated embeddings'),
  }),
  cnn: z.strictObject({
    // Batch 32 / lr 0.002 / 128 hidden units: what reached 0.986 on the MNIST digits bench (bench/train-mnist.ts).
    ...common({ learningRate: 0.002, batchSize: 32, epochs: 5 }),
    depth: positiveInt(6).default(2).describe('conv/pool blocks'),
    width: positiveInt(512).default(16).describe('filters of the first block (doubled in each next block)'),
    kernelSize: positiveInt(11).default(3).describe('side of the square convolution kernels'),
    batchNorm: z.boolean().default(true).describe('batch normalisation after each convolution'),
    hiddenUnits: positiveInt(4096).default(128).describe('units of the dense layer before the output'),
    convsPerBlock: positiveInt(4)
      .default(1)
      .describe('conv layers per block before its pooling (2: conv-conv-pool, as in VGG)'),
    maxShift: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be an integer' })
      .min(0, { error: 'must be ≥ 0' })
      .max(8, { error: 'must be ≤ 8' })
      .default(0)
      .describe(
        'augmentation: each training image is shifted by up to this many pixels per axis (seeded, per epoch); 0 turns it off',
      ),
    ganAugmentation: z
      .strictObject({
        modelVersionId: z.uuid().describe('a registered dcgan model version (generative, same image shape)'),
        label: z.string().min(1).max(200).describe('the class its images are added as'),
        count: positiveInt(100_000).describe('generated images added to the training split'),
      })
      .optional()
      .describe(
        'augmentation: add `count` images generated by a registered DCGAN version (trained on one class) to the training split, labelled `label`; unset: none',
      ),
  }),
  'embedding-pool': z.strictObject({
    ...common({ learningRate: 0.005, batchSize: 32, epochs: 10 }),
    ...text,
    hiddenUnits: positiveInt(4096)
      .default(32)
      .describe('units of the dense layer over the averaged embeddings'),
  }),
  cnn1d: z.strictObject({
    ...common({ learningRate: 0.003, batchSize: 32, epochs: 10 }),
    ...text,
    filters: positiveInt(1024).default(64).describe('convolution filters'),
    kernelSize: positiveInt(15).default(3).describe('words covered by each convolution filter'),
  }),
  lstm: z.strictObject({
    ...common({ learningRate: 0.005, batchSize: 32, epochs: 10 }),
    ...text,
    units: positiveInt(1024).default(32).describe('units of the LSTM layer'),
  }),
  gru: z.strictObject({
    ...common({ learningRate: 0.005, batchSize: 32, epochs: 10 }),
    ...text,
    units: positiveInt(1024).default(32).describe('units of the GRU layer'),
  }),
  mlp: z.strictObject({
    ...common({ learningRate: 0.003, batchSize: 64, epochs: 20 }),
    hiddenUnits: layerSizes.default([64, 32]).describe('sizes of the hidden layers'),
    maxCategories: positiveInt(10_000)
      .default(32)
      .describe(
        'a categorical column keeps its most frequent values up to this many; the rest share one "other" slot',
      ),
    oneHotLimit: positiveInt(10_000)
      .default(16)
      .describe('categoricals with more values than this are embedded instead of one-hot encoded'),
    categoricalEmbeddingDim: positiveInt(256)
      .default(4)
      .describe('size of the embedding of an embedded categorical'),
    classWeights: z
      .union([z.literal('none'), z.literal('balanced'), z.record(z.string(), z.number().gt(0))], {
        error: 'must be none, balanced or {label: weight > 0}',
      })
      .default('none')
      .describe(
        'none, balanced (n / (k · n_c) per class) or {label: weight}: the weight of each class in the loss',
      ),
    /**
     * Binary targets: class 1 when its probability is over this. `auto`: 0.5 on a balanced target;
     * when the rarer class is under 25% of the rows, the F1-optimal threshold on the validation split.
     */
    decisionThreshold: z
      .union([z.literal('auto'), z.number().gt(0).lt(1)], { error: 'must be auto or a number in (0, 1)' })
      .default('auto')
      .describe(
        'binary targets: class 1 when its probability is over this; auto picks it on the validation split when the target is imbalanced',
      ),
  }),
  dcgan: z.strictObject({
    ...common({ learningRate: 0.0002, batchSize: 64, epochs: 5 }),
    momentum: fraction.default(0.5).describe('Adam β1 (0.5, as in the DCGAN paper)'),
    latentDim: positiveInt(1024).default(32).describe('size of the generator’s random input'),
    width: positiveInt(512)
      .default(32)
      .describe('filters of the generator’s last and the discriminator’s first layer'),
    sampleCount: positiveInt(256).default(16).describe('images generated into the bundle after training'),
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
      'MLP on standardised numeric columns and one-hot or embedded categorical ones (declare integer codes categorical at ingest); optional class weights.',
  },
  dcgan: {
    useCase: 'generative',
    description:
      'Small DCGAN (Radford et al. 2016) producing synthetic images; generator and discriminator losses logged.',
  },
};

/** One hyperparameter as the catalogue shows it: its JSON Schema carries type, bounds and description. */
export interface HyperparameterField {
  name: string;
  description: string;
  /** Absent for fields that are unset unless given (their description says what that means). */
  default?: unknown;
  schema: Record<string, unknown>;
}

export interface ModelFamilyEntry {
  family: ModelFamily;
  useCase: UseCase;
  description: string;
  defaults: Hyperparameters;
  hyperparameters: HyperparameterField[];
}

/**
 * The catalogue the API and `lathe families` list: each family's use case, description,
 * defaults and hyperparameters, read from the same zod schemas that validate them.
 */
export function listModelFamilies(): ModelFamilyEntry[] {
  return MODEL_FAMILIES.map((family) => {
    const schema = hyperparameterSchemas[family];
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, Record<string, unknown>>;
    };
    const defaults = schema.parse({}) as Hyperparameters;
    return {
      family,
      ...modelFamilies[family],
      defaults,
      hyperparameters: Object.entries(json.properties ?? {}).map(([name, field]) => ({
        name,
        description: String(field.description ?? ''),
        ...(Object.hasOwn(defaults, name) ? { default: (defaults as Record<string, unknown>)[name] } : {}),
        schema: field,
      })),
    };
  });
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
      issue.code === 'unrecognized_keys'
        ? unknownFieldsMessage(issue.keys, fieldNamesAt(hyperparameterSchemas[family], issue.path, input))
        : issue.message;
    return { field, message };
  });
  throw new ValidationError(
    issues.map((i) => `${i.field}: ${i.message}`).join('; '),
    { family, issues },
    'invalid_hyperparameters',
  );
}

/** "unknown field classWeight (did you mean classWeights?); valid: epochs, batchSize, …" */
function unknownFieldsMessage(unknown: string[], valid: string[]): string {
  const named = unknown.map((key) => {
    const meant = closestName(key, valid);
    return meant ? `${key} (did you mean ${meant}?)` : key;
  });
  const fields = `unknown field${unknown.length === 1 ? '' : 's'} ${named.join(', ')}`;
  return valid.length > 0 ? `${fields}; valid: ${valid.join(', ')}` : fields;
}
