/**
 * The shared runtime of families that are one compiled tfjs LayersModel: encode rows to
 * tensors, `trainOnBatch`, `evaluate`, and decode outputs for inference.
 */
import * as tf from '@tensorflow/tfjs';
import type { BundleFiles } from '../bundle/bundle-format.ts';
import { modelFromFiles, modelToFiles } from '../bundle/layers-model-files.ts';
import type { Hyperparameters } from '../hyperparameters.ts';
import type { Random } from '../random.ts';
import { createOptimizer, setLearningRate } from '../training/optimizers.ts';
import { clearDropoutSeeds, dropoutReseeder } from '../training/seed-dropout.ts';
import type { Preprocessing, TrainableModel } from './types.ts';

export interface Encoded {
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor;
}

export interface LayersSpec {
  build(seed: number): tf.LayersModel;
  /** Rows to tensors; `random` drives any sampling (negative items). */
  encode(rows: unknown[], random: Random): Encoded;
  loss: string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);
  /** Metric names for compile, and how each reports (rmse is the root of mse). */
  metrics: { compile: string; report: string; transform?: (v: number) => number }[];
}

function namesOf(spec: LayersSpec): { name: string; transform: (v: number) => number }[] {
  return [
    { name: 'loss', transform: (v) => v },
    ...spec.metrics.map((m) => ({ name: m.report, transform: m.transform ?? ((v: number) => v) })),
  ];
}

export async function createLayersTrainable(
  spec: LayersSpec,
  hp: Hyperparameters,
  seed: number,
  files?: BundleFiles,
): Promise<TrainableModel> {
  const model = files === undefined ? spec.build(seed) : await modelFromFiles(files);
  const optimizer = createOptimizer(hp);
  model.compile({ optimizer, loss: spec.loss, metrics: spec.metrics.map((m) => m.compile) });
  const names = namesOf(spec);
  const reseedDropout = dropoutReseeder(model);

  const toMetrics = async (
    values: tf.Scalar | tf.Scalar[] | number | number[],
  ): Promise<Record<string, number>> => {
    const list = Array.isArray(values) ? values : [values];
    const out: Record<string, number> = {};
    for (let i = 0; i < list.length && i < names.length; i++) {
      const v = list[i]!;
      const n = typeof v === 'number' ? v : (await v.data())[0]!;
      out[names[i]!.name] = names[i]!.transform(n);
    }
    return out;
  };

  return {
    async trainBatch(rows, random) {
      const { xs, ys } = spec.encode(rows, random);
      reseedDropout(random);
      try {
        return await toMetrics(await model.trainOnBatch(xs, ys));
      } finally {
        tf.dispose([xs, ys]);
      }
    },
    evaluateBatch(rows, random) {
      const { xs, ys } = spec.encode(rows, random);
      const result = model.evaluate(xs, ys, { batchSize: rows.length });
      return toMetrics(result).finally(() => tf.dispose([xs, ys, result]));
    },
    setLearningRate: (lr) => setLearningRate(optimizer, lr),
    snapshotWeights: () => model.getWeights().map((w) => tf.keep(w.clone())),
    restoreWeights: (weights) => model.setWeights(weights),
    files: () => {
      clearDropoutSeeds(model);
      return modelToFiles(model);
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** Runs a model on encoded inputs and returns its output rows, disposing every tensor. */
export async function runModel(model: tf.LayersModel, xs: tf.Tensor | tf.Tensor[]): Promise<number[][]> {
  const out = model.predict(xs) as tf.Tensor;
  try {
    return (await out.array()) as number[][];
  } finally {
    tf.dispose([out, xs]);
  }
}

export async function loadLayersModel(files: BundleFiles): Promise<tf.LayersModel> {
  return modelFromFiles(files);
}

export function labelsOf(prep: Preprocessing): string[] {
  return prep.labels as string[];
}

/**
 * Softmax rows to predictions with the label of highest probability, or for a binary model with
 * a decision threshold, class 1 when its probability is over the threshold.
 */
export function classificationPredictions(
  rows: number[][],
  labels: string[],
  decisionThreshold?: number,
): { label: string; probabilities: Record<string, number> }[] {
  return rows.map((p) => {
    let best = 0;
    if (decisionThreshold !== undefined && p.length === 2) best = p[1]! > decisionThreshold ? 1 : 0;
    else for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
    return { label: labels[best]!, probabilities: Object.fromEntries(labels.map((l, i) => [l, p[i]!])) };
  });
}

/** Seeded Glorot-uniform initialiser for layer `index` (Glorot & Bengio 2010). */
export function glorot(seed: number, index: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: (seed * 7919 + index * 104729) % 2147483647 });
}

export function regularizer(hp: {
  l1: number;
  l2: number;
}): ReturnType<typeof tf.regularizers.l1l2> | undefined {
  return hp.l1 > 0 || hp.l2 > 0 ? tf.regularizers.l1l2({ l1: hp.l1, l2: hp.l2 }) : undefined;
}

/** Discovered labels: the metadata's order if given, else sorted. */
export function resolveLabels(found: Set<string>, metadataLabels?: string[]): string[] {
  if (metadataLabels !== undefined && metadataLabels.length > 0) return [...metadataLabels];
  return [...found].sort();
}

export function oneHotLabels(labels: string[], rowLabels: string[]): tf.Tensor2D {
  const index = new Map(labels.map((l, i) => [l, i]));
  const ids = Int32Array.from(rowLabels, (l) => index.get(l) ?? -1); // -1: an unseen label gives a zero row
  return tf.tidy(() => tf.oneHot(tf.tensor1d(ids, 'int32'), labels.length).toFloat() as tf.Tensor2D);
}
