/**
 * Lathe's `train` (cnn family: streaming rows, shuffle buffer, encoding per batch, hooks) vs
 * bare `model.fit` on pre-built tensors of the same 4,000 MNIST digits, same architecture
 * (conv16 → pool → conv32 → pool → dropout → dense128 → dropout → dense10), batch 32, same
 * backend, in one process. Epoch 1 of each warms up; samples/s is over the next two.
 * Run: pnpm exec tsx bench/support/cnn-train-vs-fit.ts
 */
import { selectBackend, tf, train } from '../../packages/ml/src/index.ts';
import { MNIST_SHAPE, mnistDigitsSplit } from './image-bench.ts';

const backend = await selectBackend();
const rows = mnistDigitsSplit().train.slice(0, 4000);
const hp = { epochs: 3, batchSize: 32, depth: 2, width: 16, batchNorm: false, hiddenUnits: 128, dropout: 0.25, learningRate: 0.002 };

let lathe = 0;
await train({
  family: 'cnn',
  hyperparameters: hp,
  seed: 1,
  dataset: { useCase: 'image', imageShape: MNIST_SHAPE },
  trainRows: async function* () {
    yield* rows;
  },
  hooks: { onEpoch: (e, m) => void (e > 1 ? (lathe += m.samplesPerSecond! / (hp.epochs - 1)) : 0) },
});

const model = tf.sequential();
for (const [i, filters] of [16, 32].entries()) {
  model.add(tf.layers.conv2d({ ...(i === 0 ? { inputShape: [28, 28, 1] } : {}), filters, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
}
model.add(tf.layers.flatten());
model.add(tf.layers.dropout({ rate: hp.dropout }));
model.add(tf.layers.dense({ units: hp.hiddenUnits, activation: 'relu' }));
model.add(tf.layers.dropout({ rate: hp.dropout }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(hp.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const pixels = new Float32Array(rows.length * 784);
rows.forEach((r, i) => r.pixels.forEach((v, j) => (pixels[i * 784 + j] = v / 255)));
const xs = tf.tensor4d(pixels, [rows.length, 28, 28, 1]);
const ys = tf.oneHot(tf.tensor1d(rows.map((r) => Number(r.label)), 'int32'), 10);
await model.fit(xs, ys, { epochs: 1, batchSize: hp.batchSize, shuffle: true, verbose: 0 }); // warm-up
const started = performance.now();
await model.fit(xs, ys, { epochs: hp.epochs - 1, batchSize: hp.batchSize, shuffle: true, verbose: 0 });
const bare = (rows.length * (hp.epochs - 1)) / ((performance.now() - started) / 1000);
console.log(`backend ${backend.name}, cnn: Lathe train ${lathe.toFixed(0)} samples/s | bare model.fit ${bare.toFixed(0)} samples/s | ratio ${(lathe / bare).toFixed(2)}`);
