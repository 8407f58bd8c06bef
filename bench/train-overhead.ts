/**
 * Trainer overhead (target ratio ≥ 0.9): samples/s of
 *   - Lathe's train HANDLER, the train stage as the worker runs it (real Postgres, Redis and a
 *     local artifact store): rows streamed from the dataset artifact, shuffle buffer, encoding
 *     per batch, a cancellation check between batches, RunMetric rows and progress per epoch;
 *   - Lathe's `train` alone (rows from an array, no registry), so the handler's own cost shows;
 *   - bare `model.fit` on pre-built tensors;
 * with the same backend, architecture (embedding + pooling text model, batch 64) and data, in
 * one process. Each side's first epoch is a warm-up and not counted (Lathe's rate is the mean
 * of its per-epoch `samplesPerSecond` from epoch 2 on). Rounds alternate which side runs first,
 * because other processes on a shared machine change the speed from one second to the next;
 * the ratios are of the medians over rounds.
 * Run (Postgres and Redis up: `npm run up`): pnpm exec tsx bench/train-overhead.ts [rounds=5] [epochs=3]
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalArtifactStore } from '../packages/artifacts/src/index.ts';
import { createDatasetAccess, ingestDatasetVersion } from '../packages/data/src/index.ts';
import { selectBackend, tf, train } from '../packages/ml/src/index.ts';
import { Vocabulary, VocabularyBuilder } from '../packages/ml/src/preprocessing/tokenizer.ts';
import { fromArray, syntheticText } from '../packages/ml/src/testing/synthetic.ts';
import { createPipeline, startWorkers } from '../packages/queues/src/index.ts';
import { createExperiment, ensureDataset, listRunMetrics } from '../packages/registry/src/index.ts';
import { createTrainHandler } from '../services/train/src/handler.ts';
import {
  createTestDatabase,
  createTestRedis,
  deployNothing,
  ingestExisting,
  recordedVerdict,
} from '../test/harness/index.ts';
import { waitForRun } from '../test/pipeline/support.ts';
import { median } from './support/median.ts';

const rounds = Number(process.argv[2] ?? 5);
const epochs = Number(process.argv[3] ?? 3);
const backend = await selectBackend();
const rows = syntheticText(8000, 1);
const hp = { epochs, batchSize: 64, maxLength: 16, embeddingDim: 16, hiddenUnits: 16, learningRate: 0.005 };
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

// The registry, queues and artifact store the handler runs on; the rows as a dataset version.
const db = await createTestDatabase('bench_overhead');
const redis = createTestRedis('bench-overhead');
const pipeline = createPipeline({
  registry: db.registry,
  connection: redis.redisUrl,
  prefix: redis.prefix,
  codeVersion: 'bench',
});
const dir = await mkdtemp(join(tmpdir(), 'lathe-overhead-'));
const store = new LocalArtifactStore(join(dir, 'store'));
await writeFile(join(dir, 'text.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
const dataset = await ensureDataset(db.registry, { name: 'overhead-text', useCase: 'nlp' });
const { version } = await ingestDatasetVersion(
  { registry: db.registry, store },
  {
    datasetId: dataset.id,
    spec: {
      useCase: 'nlp',
      source: { kind: 'file', path: join(dir, 'text.jsonl') },
      split: { strategy: 'random', fractions: { train: 1, validation: 0, test: 0 } },
    },
  },
);
const experiment = await createExperiment(db.registry, {
  name: 'overhead',
  useCase: 'nlp',
  modelFamily: 'embedding-pool',
  hyperparameters: hp,
  datasetId: dataset.id,
  gate: [],
  rolloutPolicy: {},
  cacheEnabled: false,
});
const workers = await startWorkers({
  pipeline,
  stages: ['ingest', 'train', 'evaluate', 'deploy'],
  handlers: {
    ingest: ingestExisting(() => version.id),
    train: createTrainHandler({ store, datasets: createDatasetAccess(store) }),
    evaluate: recordedVerdict(),
    deploy: deployNothing,
  },
});

async function handlerRate(seed: number): Promise<number> {
  const run = await pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed });
  const done = await waitForRun(pipeline, run.id, ['succeeded', 'failed'], 600_000);
  if (done.status !== 'succeeded') throw new Error(`train run failed: ${done.errorMessage}`);
  const points = await listRunMetrics(db.registry, run.id, 'samplesPerSecond');
  return mean(points.filter((p) => p.step > 1).map((p) => p.value));
}

async function trainerRate(seed: number): Promise<number> {
  const rates: number[] = [];
  await train({
    family: 'embedding-pool',
    hyperparameters: hp,
    seed,
    dataset: { useCase: 'nlp' },
    trainRows: () => fromArray(rows),
    hooks: { onEpoch: (epoch, metrics) => void (epoch > 1 && rates.push(metrics.samplesPerSecond!)) },
  });
  return mean(rates);
}

// Bare model.fit: the same vocabulary and architecture, all rows encoded once up front.
const builder = new VocabularyBuilder();
for (const r of rows) builder.add(r.text);
const vocab = new Vocabulary(builder.build(20_000, 1));
const ids = new Int32Array(rows.length * hp.maxLength);
rows.forEach((r, i) => ids.set(vocab.encode(r.text, hp.maxLength), i * hp.maxLength));
const labels = [...new Set(rows.map((r) => r.label))].sort();
const xs = tf.tensor2d(ids, [rows.length, hp.maxLength], 'int32');
const ys = tf.oneHot(
  tf.tensor1d(
    rows.map((r) => labels.indexOf(r.label)),
    'int32',
  ),
  labels.length,
);

async function bareRate(): Promise<number> {
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputShape: [hp.maxLength], inputDim: vocab.size, outputDim: hp.embeddingDim }),
      tf.layers.globalAveragePooling1d(),
      tf.layers.dense({ units: hp.hiddenUnits, activation: 'relu' }),
      tf.layers.dense({ units: labels.length, activation: 'softmax' }),
    ],
  });
  const optimizer = tf.train.adam(hp.learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xs, ys, { epochs: 1, batchSize: hp.batchSize, shuffle: true, verbose: 0 }); // warm-up
  const started = performance.now();
  await model.fit(xs, ys, { epochs: epochs - 1, batchSize: hp.batchSize, shuffle: true, verbose: 0 });
  const rate = (rows.length * (epochs - 1)) / ((performance.now() - started) / 1000);
  model.dispose();
  optimizer.dispose();
  return rate;
}

const results = { handler: [] as number[], trainer: [] as number[], bare: [] as number[] };
const sides = [
  async (round: number) => results.handler.push(await handlerRate(round + 1)),
  async (round: number) => results.trainer.push(await trainerRate(round + 1)),
  async () => results.bare.push(await bareRate()),
];
await sides[0]!(-1); // warm-up round of each side, not reported (JIT, wasm memory growth)
await sides[2]!(-1);
results.handler.length = 0;
results.bare.length = 0;
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? sides : [...sides].reverse();
  for (const side of order) await side(round);
  console.log(
    `round ${round + 1}: handler ${results.handler.at(-1)!.toFixed(0)} | train() ${results.trainer.at(-1)!.toFixed(0)} | bare model.fit ${results.bare.at(-1)!.toFixed(0)} samples/s`,
  );
}
const [handler, trainer, bare] = [median(results.handler), median(results.trainer), median(results.bare)];
console.log(
  `backend ${backend.name} ${backend.version}, ${rows.length} rows, batch ${hp.batchSize}, ${epochs} epochs (1 warm-up), ${rounds} rounds; medians:\n` +
    `  Lathe train handler ${handler.toFixed(0)} samples/s | Lathe train() ${trainer.toFixed(0)} | bare model.fit ${bare.toFixed(0)}\n` +
    `  ratio handler/bare ${(handler / bare).toFixed(2)} | train()/bare ${(trainer / bare).toFixed(2)} (target ≥ 0.9)`,
);

await workers.close();
await pipeline.close();
await redis.cleanup();
await db.drop();
await rm(dir, { recursive: true, force: true });
xs.dispose();
ys.dispose();
