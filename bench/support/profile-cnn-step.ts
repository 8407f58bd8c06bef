/**
 * Where a CNN training step's time goes: per-kernel time (tf.profile) of one `trainOnBatch` of
 * the bench model (conv16 → pool → conv32 → pool → dropout → dense128 → dense10, batch 64) on a
 * backend, after a warm-up step, plus samples/s over 5 steps.
 * Run: pnpm exec tsx bench/support/profile-cnn-step.ts [wasm|cpu] [bn]
 */
import { selectBackend, tf } from '../../packages/ml/src/index.ts';

const backend = process.argv[2] ?? 'wasm';
const batchNorm = process.argv[3] === 'bn';
await selectBackend({ prefer: backend });

const model = tf.sequential();
for (const [i, filters] of [16, 32].entries()) {
  model.add(
    tf.layers.conv2d({
      ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: !batchNorm,
    }),
  );
  if (batchNorm) model.add(tf.layers.batchNormalization());
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
}
model.add(tf.layers.flatten());
model.add(tf.layers.dropout({ rate: 0.25 }));
model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const xs = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1);
const ys = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2), 10);
await model.trainOnBatch(xs, ys); // warm-up
const steps = 5;
const started = performance.now();
for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
console.log(
  `${backend}${batchNorm ? ' + batch norm' : ''}: ${((steps * 64) / ((performance.now() - started) / 1000)).toFixed(0)} samples/s`,
);

const profile = await tf.profile(async () => model.trainOnBatch(xs, ys));
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += Number(k.kernelTimeMs);
  entry.calls += 1;
  byKernel.set(k.name, entry);
}
const total = [...byKernel.values()].reduce((sum, e) => sum + e.ms, 0);
console.log(`kernel time of one step: ${total.toFixed(1)} ms`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
  console.log(`  ${name.padEnd(26)} ${e.ms.toFixed(1).padStart(7)} ms  ${e.calls} call(s)`);
}
