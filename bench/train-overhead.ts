/**
 * Trainer overhead: samples/s of Lathe's `train` (streaming rows, shuffle buffer, encoding,
 * hooks, validation off) vs bare `model.fit` on pre-built tensors, same backend, same
 * architecture (embedding-pool text model) and data, in one process. Prints the ratio.
 * Run: pnpm exec tsx bench/train-overhead.ts
 */
import { selectBackend, tf, train } from '../packages/ml/src/index.ts';
import { Vocabulary, VocabularyBuilder } from '../packages/ml/src/preprocessing/tokenizer.ts';
import { fromArray, syntheticText } from '../packages/ml/src/testing/synthetic.ts';

const backend = await selectBackend();
const rows = syntheticText(8000, 1);
const epochs = 3;
const hp = { epochs, batchSize: 64, maxLength: 16, embeddingDim: 16, hiddenUnits: 16, learningRate: 0.005 };

let lathe = 0;
await train({
  family: 'embedding-pool',
  hyperparameters: hp,
  seed: 1,
  dataset: { useCase: 'nlp' },
  trainRows: () => fromArray(rows),
  hooks: { onEpoch: (e, m) => void (e > 1 ? (lathe += m.samplesPerSecond! / (epochs - 1)) : 0) }, // epoch 1 warms up
});

const builder = new VocabularyBuilder();
for (const r of rows) builder.add(r.text);
const vocab = new Vocabulary(builder.build(20_000, 1));
const ids = new Int32Array(rows.length * hp.maxLength);
rows.forEach((r, i) => ids.set(vocab.encode(r.text, hp.maxLength), i * hp.maxLength));
const xs = tf.tensor2d(ids, [rows.length, hp.maxLength], 'int32');
const ys = tf.oneHot(tf.tensor1d(rows.map((r) => (r.label === 'pos' ? 1 : 0)), 'int32'), 2);
const model = tf.sequential({
  layers: [
    tf.layers.embedding({ inputShape: [hp.maxLength], inputDim: vocab.size, outputDim: hp.embeddingDim }),
    tf.layers.globalAveragePooling1d(),
    tf.layers.dense({ units: hp.hiddenUnits, activation: 'relu' }),
    tf.layers.dense({ units: 2, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(hp.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(xs, ys, { epochs: 1, batchSize: hp.batchSize, shuffle: true, verbose: 0 }); // warm-up
const started = performance.now();
await model.fit(xs, ys, { epochs: epochs - 1, batchSize: hp.batchSize, shuffle: true, verbose: 0 });
const bare = (rows.length * (epochs - 1)) / ((performance.now() - started) / 1000);
console.log(`backend ${backend.name}: Lathe train ${lathe.toFixed(0)} samples/s | bare model.fit ${bare.toFixed(0)} samples/s | ratio ${(lathe / bare).toFixed(2)}`);
