/**
 * Tabular classification (churn, conversion): an MLP over standardised numeric columns and
 * one-hot or embedded categoricals. Class weights scale each example's cross-entropy by the
 * weight of its class; `balanced` uses n / (k · n_c) (King & Zeng 2001, as in scikit-learn).
 */
import * as tf from '@tensorflow/tfjs';
import type { HyperparametersOf } from '../hyperparameters.ts';
import { TabularEncoder, TabularStatistics } from '../preprocessing/tabular-encoder.ts';
import type { TabularEncoding } from '../preprocessing/tabular-encoder.ts';
import type { TabularRow } from '@lathe/contract';
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
import type { FamilyDefinition } from './types.ts';

type Hp = HyperparametersOf<'mlp'>;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
type TabularPrep = {
  labels: string[];
  encoding: TabularEncoding;
  classWeights: number[] | null;
  /** Set after training (binary targets): see training/choose-decision-threshold.ts. */
  decisionThreshold?: number;
};

function inputs(encoder: TabularEncoder, rows: { features: Record<string, unknown> }[]): tf.Tensor[] {
  const { dense, embeddedIds } = encoder.encode(rows);
  return [
    tf.tensor2d(dense, [rows.length, encoder.denseWidth]),
    ...embeddedIds.map((ids) => tf.tensor2d(ids, [rows.length, 1], 'int32')),
  ];
}

/** Cross-entropy with per-class weights: −Σ_c y_c log p_c · w_c. */
function weightedCrossEntropy(weights: number[]) {
  return (yTrue: tf.Tensor, yPred: tf.Tensor) =>
    tf.tidy(() => {
      const w = tf.tensor1d(weights);
      const p = tf.clipByValue(yPred, 1e-7, 1 - 1e-7);
      return tf.mean(tf.neg(tf.sum(tf.mul(tf.mul(yTrue, tf.log(p)), w), -1)));
    });
}

function spec(prep: TabularPrep, hp: Hp): LayersSpec {
  const encoder = new TabularEncoder(prep.encoding);
  return {
    build(seed) {
      const reg = regularizer(hp);
      const dense = tf.input({ shape: [encoder.denseWidth], name: 'features' });
      const embeddedInputs = encoder.embedded.map((c, i) =>
        tf.input({ shape: [1], dtype: 'int32', name: `category_${i}` }),
      );
      const parts = [
        dense,
        ...encoder.embedded.map(
          (c, i) =>
            tf.layers.flatten().apply(
              tf.layers
                .embedding({
                  inputDim: c.values.length + 1,
                  outputDim: hp.categoricalEmbeddingDim,
                  embeddingsInitializer: tf.initializers.randomUniform({
                    minval: -0.05,
                    maxval: 0.05,
                    seed: seed + i,
                  }),
                })
                .apply(embeddedInputs[i]!),
            ) as tf.SymbolicTensor,
        ),
      ];
      let h = parts.length > 1 ? (tf.layers.concatenate().apply(parts) as tf.SymbolicTensor) : dense;
      hp.hiddenUnits.forEach((units, i) => {
        h = tf.layers
          .dense({
            units,
            activation: 'relu',
            kernelInitializer: glorot(seed, i),
            ...(reg ? { kernelRegularizer: reg } : {}),
          })
          .apply(h) as tf.SymbolicTensor;
        if (hp.dropout > 0) h = tf.layers.dropout({ rate: hp.dropout }).apply(h) as tf.SymbolicTensor;
      });
      const out = tf.layers
        .dense({ units: prep.labels.length, activation: 'softmax', kernelInitializer: glorot(seed, 99) })
        .apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: [dense, ...embeddedInputs], outputs: out });
    },
    encode(rows) {
      const r = rows as TabularRow[];
      return {
        xs: inputs(encoder, r),
        ys: oneHotLabels(
          prep.labels,
          r.map((x) => String(x.target)),
        ),
      };
    },
    loss: prep.classWeights === null ? 'categoricalCrossentropy' : weightedCrossEntropy(prep.classWeights),
    metrics: [{ compile: 'accuracy', report: 'accuracy' }],
  };
}

export const tabularMlp: FamilyDefinition<TabularPrep> = {
  useCase: 'tabular',
  async prepare(rows, metadata, hp) {
    const h = hp as Hp;
    const stats = new TabularStatistics();
    const counts = new Map<string, number>();
    for await (const row of rows as AsyncIterable<TabularRow>) {
      stats.add(row);
      counts.set(String(row.target), (counts.get(String(row.target)) ?? 0) + 1);
    }
    const labels = resolveLabels(new Set(counts.keys()), metadata.labels);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    let classWeights: number[] | null = null;
    if (h.classWeights === 'balanced')
      classWeights = labels.map((l) => total / (labels.length * Math.max(1, counts.get(l) ?? 0)));
    else if (typeof h.classWeights === 'object') {
      const given = h.classWeights;
      classWeights = labels.map((l) => given[l] ?? 1);
    }
    return {
      labels,
      encoding: stats.build(h.maxCategories, h.oneHotLimit),
      classWeights,
    } satisfies TabularPrep;
  },
  create: (prep, hp, seed, files) => createLayersTrainable(spec(prep, hp as Hp), hp, seed, files),
  signature(p) {
    return {
      useCase: 'tabular',
      inputs: [
        ...p.encoding.numeric.map((c) => ({
          name: c.name,
          type: 'number | null',
          description: `standardised with mean ${c.mean.toPrecision(4)}, std ${c.std.toPrecision(4)}`,
        })),
        ...p.encoding.categorical.map((c) => ({
          name: c.name,
          // Integer-coded categories (a segment numbered 1–12) may be sent as numbers or strings.
          type:
            c.values.length > 0 && c.values.every((v) => NUMBER_TEXT.test(v))
              ? 'string | number | null'
              : 'string | null',
          description: `${c.encoding}, ${c.values.length} known values; others share one slot`,
        })),
      ],
      outputs: [
        { name: 'label', type: 'string', description: 'most probable class' },
        { name: 'probabilities', type: 'Record<string, number>', description: 'softmax over labels' },
      ],
      labels: p.labels,
    };
  },
  async load(files, p) {
    const encoder = new TabularEncoder(p.encoding);
    const model = await loadLayersModel(files);
    return {
      async predict(rows) {
        return classificationPredictions(
          await runModel(model, inputs(encoder, rows as { features: Record<string, unknown> }[])),
          p.labels,
          p.decisionThreshold,
        );
      },
      // Perturbable: the standardised numeric columns (the first of the dense input); one-hot
      // and embedded categoricals stay as they are.
      differentiable: {
        labels: p.labels,
        ...(p.decisionThreshold !== undefined ? { decisionThreshold: p.decisionThreshold } : {}),
        inputRange: null,
        inputScale: "one standard deviation of the feature's training values (numeric features only)",
        encode(rows) {
          const [x, ...ids] = inputs(encoder, rows as { features: Record<string, unknown> }[]);
          const numeric = p.encoding.numeric.length;
          const perturbable = tf.tidy(() =>
            tf
              .tensor1d(Array.from({ length: encoder.denseWidth }, (_, i) => (i < numeric ? 1 : 0)))
              .reshape([1, encoder.denseWidth])
              .tile([rows.length, 1]),
          );
          return {
            x: x!,
            perturbable,
            probabilities: (input) => model.apply([input, ...ids], { training: false }) as tf.Tensor2D,
            dispose: () => tf.dispose([x!, perturbable, ...ids]),
          };
        },
      },
      dispose: () => model.dispose(),
    };
  },
};
