/**
 * Image classification: [(conv → (batch norm) → relu) × convsPerBlock → max-pool] × depth,
 * filters doubling per block from `width`, then dropout → dense → softmax. Pixels are scaled
 * to [0, 1]. Optional augmentation shifts each training image by a few pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@lathe/core';
import type { HyperparametersOf } from '../hyperparameters.ts';
import type { Random } from '../random.ts';
import type { ImageRow, ImageShape } from '@lathe/contract';
import {
  classificationPredictions,
  createLayersTrainable,
  glorot,
  loadLayersModel,
  oneHotLabels,
  regularizer,
  resolveLabels,
  runModel,
} from './layers-family.ts';
import type { LayersSpec } from './layers-family.ts';
import type { DatasetMetadata, FamilyDefinition } from './types.ts';

type Hp = HyperparametersOf<'cnn'>;
type ImagePrep = {
  labels: string[];
  shape: ImageShape;
};

export function requireImageShape(metadata: DatasetMetadata): ImageShape {
  const shape = metadata.imageShape;
  if (shape === undefined)
    throw new ValidationError(
      'dataset.imageShape: image datasets must record width, height and channels',
      { field: 'dataset.imageShape' },
      'dataset_metadata_missing',
    );
  return shape;
}

/** [b, h, w, c] floats; a row of the wrong size is zero-padded/truncated rather than crashing. */
export function pixelsTensor(
  rows: { pixels: Uint8Array }[],
  shape: ImageShape,
  scale: (v: number) => number,
): tf.Tensor4D {
  const size = shape.height * shape.width * shape.channels;
  const values = new Float32Array(rows.length * size);
  rows.forEach((row, i) => {
    const n = Math.min(size, row.pixels.length);
    for (let j = 0; j < n; j++) values[i * size + j] = scale(row.pixels[j]!);
  });
  return tf.tensor4d(values, [rows.length, shape.height, shape.width, shape.channels]);
}

function spec(prep: ImagePrep, hp: Hp): LayersSpec {
  return {
    build(seed) {
      const reg = regularizer(hp);
      const model = tf.sequential();
      let size = Math.min(prep.shape.height, prep.shape.width);
      for (let i = 0; i < hp.depth; i++) {
        for (let j = 0; j < hp.convsPerBlock; j++) {
          const layer = i * hp.convsPerBlock + j;
          model.add(
            tf.layers.conv2d({
              ...(layer === 0
                ? { inputShape: [prep.shape.height, prep.shape.width, prep.shape.channels] }
                : {}),
              filters: hp.width * 2 ** i,
              kernelSize: hp.kernelSize,
              padding: 'same',
              useBias: !hp.batchNorm,
              kernelInitializer: glorot(seed, layer),
              ...(reg ? { kernelRegularizer: reg } : {}),
            }),
          );
          if (hp.batchNorm) model.add(tf.layers.batchNormalization());
          model.add(tf.layers.activation({ activation: 'relu' }));
        }
        if (size >= 2) {
          model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
          size = Math.floor(size / 2);
        }
      }
      model.add(tf.layers.flatten());
      if (hp.dropout > 0) model.add(tf.layers.dropout({ rate: hp.dropout }));
      model.add(
        tf.layers.dense({
          units: hp.hiddenUnits,
          activation: 'relu',
          kernelInitializer: glorot(seed, 100),
          ...(reg ? { kernelRegularizer: reg } : {}),
        }),
      );
      if (hp.dropout > 0) model.add(tf.layers.dropout({ rate: hp.dropout }));
      model.add(
        tf.layers.dense({
          units: prep.labels.length,
          activation: 'softmax',
          kernelInitializer: glorot(seed, 101),
        }),
      );
      return model;
    },
    encode(rows) {
      const r = rows as ImageRow[];
      return {
        xs: pixelsTensor(r, prep.shape, (v) => v / 255),
        ys: oneHotLabels(
          prep.labels,
          r.map((x) => x.label),
        ),
      };
    },
    loss: 'categoricalCrossentropy',
    metrics: [{ compile: 'accuracy', report: 'accuracy' }],
  };
}

/**
 * Each image moved by (dx, dy) ∈ [−maxShift, maxShift]², drawn from the epoch's seeded stream;
 * pixels shifted in from outside are 0 (the background of MNIST-like images). Small
 * translations are the classic label-preserving augmentation for digits (Simard et al. 2003).
 */
export function shiftedRows(
  rows: ImageRow[],
  shape: ImageShape,
  maxShift: number,
  random: Random,
): ImageRow[] {
  const { width, height, channels } = shape;
  return rows.map((row) => {
    const dx = Math.floor(random() * (2 * maxShift + 1)) - maxShift;
    const dy = Math.floor(random() * (2 * maxShift + 1)) - maxShift;
    if (dx === 0 && dy === 0) return row;
    const pixels = new Uint8Array(row.pixels.length);
    const x0 = Math.max(0, dx);
    const x1 = Math.min(width, width + dx);
    for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
      const src = ((y - dy) * width + (x0 - dx)) * channels;
      pixels.set(row.pixels.subarray(src, src + (x1 - x0) * channels), (y * width + x0) * channels);
    }
    return { ...row, pixels };
  });
}

export const imageCnn: FamilyDefinition<ImagePrep> = {
  useCase: 'image',
  async prepare(rows, metadata) {
    const shape = requireImageShape(metadata);
    const found = new Set<string>();
    if (metadata.labels === undefined)
      for await (const row of rows as AsyncIterable<ImageRow>) found.add(row.label);
    return { labels: resolveLabels(found, metadata.labels), shape } satisfies ImagePrep;
  },
  async create(p, hyperparameters, seed, files) {
    const hp = hyperparameters as Hp;
    const model = await createLayersTrainable(spec(p, hp), hp, seed, files);
    if (hp.maxShift === 0) return model;
    // Only training batches are augmented; evaluation and prediction see the images as they are.
    return {
      ...model,
      trainBatch: (rows, random) =>
        model.trainBatch(shiftedRows(rows as ImageRow[], p.shape, hp.maxShift, random), random),
    };
  },
  signature(p) {
    return {
      useCase: 'image',
      inputs: [
        {
          name: 'pixels',
          type: `uint8[${p.shape.height}×${p.shape.width}×${p.shape.channels}]`,
          description: 'row-major image bytes',
        },
      ],
      outputs: [
        { name: 'label', type: 'string', description: 'most probable class' },
        { name: 'probabilities', type: 'Record<string, number>', description: 'softmax over labels' },
      ],
      labels: p.labels,
    };
  },
  async load(files, p) {
    const model = await loadLayersModel(files);
    return {
      async predict(rows) {
        const xs = pixelsTensor(rows as { pixels: Uint8Array }[], p.shape, (v) => v / 255);
        return classificationPredictions(await runModel(model, xs), p.labels);
      },
      differentiable: {
        labels: p.labels,
        inputRange: { min: 0, max: 1 },
        inputScale: 'pixel value / 255 (the model reads pixels scaled to [0, 1])',
        encode(rows) {
          const x = pixelsTensor(rows as { pixels: Uint8Array }[], p.shape, (v) => v / 255);
          return {
            x,
            probabilities: (input) => model.apply(input, { training: false }) as tf.Tensor2D,
            dispose: () => x.dispose(),
          };
        },
      },
      dispose: () => model.dispose(),
    };
  },
};
