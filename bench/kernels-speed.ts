/**
 * Training samples/s of the same models on (a) wasm + Lathe kernels and (b) the stock cpu
 * backend (tfjs's own kernels), plus (c) cpu + Lathe kernels, measured in one process.
 * Models: small CNN (28×28, batch 64), matrix factorisation (batch 1024), embedding + pooling
 * and embedding + LSTM text models (vocab 5,000, length 32, batch 64).
 * The text models' embedding gradient (UnsortedSegmentSum) on stock cpu takes minutes per step
 * (it compares every id with every one of the 5,000 rows), so there each is timed on one step
 * without a warm-up step (`stockSteps`); the first step's one-off setup is small beside it.
 * Run: pnpm exec tsx bench/kernels-speed.ts [case-name substring]
 */
import { registerTrainingKernels, restoreStockKernels, selectBackend, tf } from '../packages/ml/src/index.ts';

interface Case {
  name: string;
  batch: number;
  steps: number;
  /** Timed steps on stock cpu, without warm-up when set (see above). */
  stockSteps?: number;
  build(): tf.LayersModel;
  data(): { xs: tf.Tensor | tf.Tensor[]; ys: tf.Tensor };
}

const cases: Case[] = [
  {
    name: 'CNN 28×28 conv16-conv32-dense',
    batch: 64,
    steps: 4,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [28, 28, 1],
            filters: 16,
            kernelSize: 3,
            activation: 'relu',
            padding: 'same',
          }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
    data: () => ({
      xs: tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1),
      ys: tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2), 10),
    }),
  },
  {
    name: 'matrix factorisation 2,000 users × 1,000 items, dim 32',
    batch: 1024,
    steps: 4,
    build: () => {
      const u = tf.input({ shape: [1], dtype: 'int32' });
      const i = tf.input({ shape: [1], dtype: 'int32' });
      const p = tf.layers
        .flatten()
        .apply(tf.layers.embedding({ inputDim: 2000, outputDim: 32 }).apply(u)) as tf.SymbolicTensor;
      const q = tf.layers
        .flatten()
        .apply(tf.layers.embedding({ inputDim: 1000, outputDim: 32 }).apply(i)) as tf.SymbolicTensor;
      return tf.model({
        inputs: [u, i],
        outputs: tf.layers.dot({ axes: 1 }).apply([p, q]) as tf.SymbolicTensor,
      });
    },
    data: () => ({
      xs: [
        tf.randomUniform([1024, 1], 0, 2000, 'int32', 3),
        tf.randomUniform([1024, 1], 0, 1000, 'int32', 4),
      ],
      ys: tf.randomUniform([1024, 1], 1, 5, 'float32', 5),
    }),
  },
  {
    name: 'text embedding(5,000 × 32) + pooling, length 32',
    batch: 64,
    steps: 8,
    stockSteps: 1,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputShape: [32], inputDim: 5000, outputDim: 32 }),
          tf.layers.globalAveragePooling1d(),
          tf.layers.dense({ units: 16, activation: 'relu' }),
          tf.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    data: () => ({
      xs: tf.randomUniform([64, 32], 0, 5000, 'int32', 6),
      ys: tf.oneHot(tf.randomUniform([64], 0, 2, 'int32', 7), 2),
    }),
  },
  {
    name: 'text embedding(5,000 × 32) + LSTM(32), length 32',
    batch: 64,
    steps: 2,
    stockSteps: 1,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputShape: [32], inputDim: 5000, outputDim: 32 }),
          tf.layers.lstm({ units: 32 }),
          tf.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    data: () => ({
      xs: tf.randomUniform([64, 32], 0, 5000, 'int32', 8),
      ys: tf.oneHot(tf.randomUniform([64], 0, 2, 'int32', 9), 2),
    }),
  },
];

async function samplesPerSecond(c: Case, stock = false): Promise<number> {
  const model = c.build();
  model.compile({
    optimizer: tf.train.adam(0.001),
    loss: c.name.startsWith('matrix') ? 'meanSquaredError' : 'categoricalCrossentropy',
  });
  const { xs, ys } = c.data();
  const steps = stock ? (c.stockSteps ?? c.steps) : c.steps;
  if (!stock || c.stockSteps === undefined) await model.trainOnBatch(xs, ys); // warm-up
  const started = performance.now();
  for (let s = 0; s < steps; s++) await model.trainOnBatch(xs, ys);
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([xs, ys]);
  model.dispose();
  return (steps * c.batch) / seconds;
}

await selectBackend({ prefer: 'wasm' });
const results: { name: string; wasm: number; cpuStock: number; cpuLathe: number }[] = [];
// Optional argument: a substring of the case names to run only those.
const only = process.argv[2];
for (const c of cases.filter((x) => only === undefined || x.name.includes(only))) {
  await tf.setBackend('wasm');
  const wasm = await samplesPerSecond(c);
  await tf.setBackend('cpu');
  restoreStockKernels('cpu');
  const cpuStock = await samplesPerSecond(c, true);
  registerTrainingKernels('cpu');
  const cpuLathe = await samplesPerSecond(c);
  results.push({ name: c.name, wasm, cpuStock, cpuLathe });
  console.log(
    `${c.name}: wasm+Lathe kernels ${wasm.toPrecision(3)} samples/s | stock cpu ${cpuStock.toPrecision(3)} | cpu+Lathe kernels ${cpuLathe.toPrecision(3)} | wasm+kernels / stock cpu = ${(wasm / cpuStock).toFixed(1)}× | cpu+kernels / stock cpu = ${(cpuLathe / cpuStock).toFixed(1)}×`,
  );
}
console.log('wasm + Lathe kernels vs stock cpu (issue target ≥ 4×):');
for (const r of results) console.log(`  ${r.name}: ${(r.wasm / r.cpuStock).toFixed(1)}×`);
