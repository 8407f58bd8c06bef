/**
 * Text classification on word ids: embedding → pooling (fastText-like, Joulin et al. 2017),
 * a 1-D CNN with global max pooling (Kim 2014), or an LSTM / GRU.
 */
import * as tf from '@tensorflow/tfjs';
import type { HyperparametersOf } from '../hyperparameters.ts';
import { Vocabulary, VocabularyBuilder } from '../preprocessing/tokenizer.ts';
import type { TextRow } from '@lathe/contract';
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

type Hp = HyperparametersOf<'embedding-pool' | 'cnn1d' | 'lstm' | 'gru'>;
type Kind = 'embedding-pool' | 'cnn1d' | 'lstm' | 'gru';
type TextPrep = {
  labels: string[];
  vocabulary: string[];
  maxLength: number;
};

function idsTensor(rows: { text: string }[], vocab: Vocabulary, length: number): tf.Tensor2D {
  const values = new Int32Array(rows.length * length);
  rows.forEach((row, i) =>
    values.set(vocab.encode(typeof row.text === 'string' ? row.text : '', length), i * length),
  );
  return tf.tensor2d(values, [rows.length, length], 'int32');
}

function spec(kind: Kind, prep: TextPrep, hp: Hp): LayersSpec {
  const vocab = new Vocabulary(prep.vocabulary);
  return {
    build(seed) {
      const reg = regularizer(hp);
      const model = tf.sequential();
      model.add(
        tf.layers.embedding({
          inputDim: vocab.size,
          outputDim: hp.embeddingDim,
          inputLength: prep.maxLength,
          embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }),
          ...(reg ? { embeddingsRegularizer: reg } : {}),
        }),
      );
      if (kind === 'embedding-pool') {
        model.add(tf.layers.globalAveragePooling1d());
        if (hp.dropout > 0) model.add(tf.layers.dropout({ rate: hp.dropout }));
        model.add(
          tf.layers.dense({
            units: (hp as HyperparametersOf<'embedding-pool'>).hiddenUnits,
            activation: 'relu',
            kernelInitializer: glorot(seed, 1),
          }),
        );
      } else if (kind === 'cnn1d') {
        const h = hp as HyperparametersOf<'cnn1d'>;
        model.add(
          tf.layers.conv1d({
            filters: h.filters,
            kernelSize: h.kernelSize,
            activation: 'relu',
            padding: 'same',
            kernelInitializer: glorot(seed, 1),
            ...(reg ? { kernelRegularizer: reg } : {}),
          }),
        );
        model.add(tf.layers.globalMaxPooling1d());
      } else {
        const h = hp as HyperparametersOf<'lstm'>;
        const options = {
          units: h.units,
          kernelInitializer: glorot(seed, 1),
          recurrentInitializer: glorot(seed, 2),
          ...(reg ? { kernelRegularizer: reg } : {}),
        };
        model.add(kind === 'lstm' ? tf.layers.lstm(options) : tf.layers.gru(options));
      }
      if (hp.dropout > 0) model.add(tf.layers.dropout({ rate: hp.dropout }));
      model.add(
        tf.layers.dense({
          units: prep.labels.length,
          activation: 'softmax',
          kernelInitializer: glorot(seed, 3),
        }),
      );
      return model;
    },
    encode(rows) {
      const r = rows as TextRow[];
      return {
        xs: idsTensor(r, vocab, prep.maxLength),
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

export function textClassifier(kind: Kind): FamilyDefinition<TextPrep> {
  return {
    useCase: 'nlp',
    async prepare(rows, metadata, hp) {
      const h = hp as Hp;
      const builder = new VocabularyBuilder();
      const found = new Set<string>();
      for await (const row of rows as AsyncIterable<TextRow>) {
        builder.add(row.text);
        found.add(row.label);
      }
      return {
        labels: resolveLabels(found, metadata.labels),
        vocabulary: builder.build(h.maxVocab, h.minCount),
        maxLength: h.maxLength,
      } satisfies TextPrep;
    },
    create: (prep, hp, seed, files) => createLayersTrainable(spec(kind, prep, hp as Hp), hp, seed, files),
    signature(p) {
      return {
        useCase: 'nlp',
        inputs: [
          {
            name: 'text',
            type: 'string',
            description: `tokenised to at most ${p.maxLength} words; unknown words map to OOV`,
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
      const vocab = new Vocabulary(p.vocabulary);
      const model = await loadLayersModel(files);
      return {
        async predict(rows) {
          return classificationPredictions(
            await runModel(model, idsTensor(rows as { text: string }[], vocab, p.maxLength)),
            p.labels,
          );
        },
        dispose: () => model.dispose(),
      };
    },
  };
}
