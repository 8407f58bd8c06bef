/**
 * Scale-out: the four stage workers as 1 and then 2 processes per stage (separate OS processes,
 * as Kubernetes would run replicas), against the same Postgres and Redis.
 *   - no-op stages: pipelines/s for `pipelines` runs submitted with 32 callers in flight, each
 *     counted when its Run row is `succeeded` (Lathe's full bookkeeping, no stage work);
 *   - a real training stage: samples/s of `trainRuns` runs of a small tabular MLP (real train
 *     handler, checkpoints and metric rows; ingest, evaluate and deploy no-op), samples being
 *     the train split's rows × epochs.
 * Rounds alternate the order (1 then 2 processes, then 2 then 1); medians and the ratio of
 * 2 processes over 1 are printed. On a machine with fewer cores than processes (a 2-core
 * development box runs Postgres, Redis and the workers on the same cores) the ratio says
 * how much the extra replicas still buy there, not what a cluster would get.
 *   pnpm exec tsx bench/scale-out.ts [pipelines=300] [trainRuns=4] [rounds=2]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalArtifactStore } from '../packages/artifacts/src/index.ts';
import { ingestDatasetVersion } from '../packages/data/src/index.ts';
import { syntheticTabular } from '../packages/ml/src/testing/synthetic.ts';
import { createPipeline, type Pipeline } from '../packages/queues/src/index.ts';
import { createExperiment, ensureDataset, STAGES, type Registry } from '../packages/registry/src/index.ts';
import { REPO_ROOT, createTestDatabase, createTestRedis } from '../test/harness/index.ts';
import { median } from './support/median.ts';

const pipelines = Number(process.argv[2] ?? 300);
const trainRuns = Number(process.argv[3] ?? 4);
const rounds = Number(process.argv[4] ?? 2);
const EPOCHS = 3;

const db = await createTestDatabase('scale-out');
const registry: Registry = db.registry;
const dir = await mkdtemp(join(tmpdir(), 'lathe-scale-out-'));
const store = new LocalArtifactStore(join(dir, 'store'));

function startProcess(stages: string, mode: 'noop' | 'train', prefix: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench/support/scale-out-worker.ts'), stages, mode],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...env,
        DATABASE_URL: db.schemaUrl,
        LATHE_QUEUE_PREFIX: prefix,
        LATHE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise<ChildProcess>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`bench worker exited (${code})`)));
  });
}

async function stopAll(children: ChildProcess[]) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve(null);
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function waitSucceeded(ids: string[]) {
  for (;;) {
    const done = await registry.run.count({
      where: { id: { in: ids }, status: { in: ['succeeded', 'failed'] } },
    });
    if (done === ids.length) break;
    await sleep(100);
  }
  const failed = await registry.run.count({ where: { id: { in: ids }, status: 'failed' } });
  if (failed > 0) throw new Error(`${failed} of ${ids.length} bench runs failed`);
}

/** Runs `count` runs of `experimentId` on `perStage` processes per stage; returns seconds. */
async function timeRuns(
  perStage: number,
  mode: 'noop' | 'train',
  experimentId: string,
  count: number,
  env: Record<string, string>,
): Promise<number> {
  const redis = createTestRedis('scale-out');
  const children: ChildProcess[] = [];
  let pipeline: Pipeline | undefined;
  try {
    // One stage per process: `perStage` replicas of each worker, started one at a time.
    const groups = mode === 'noop' ? [...STAGES] : ['train', 'ingest,evaluate,deploy'];
    for (const stages of groups) {
      const replicas = mode === 'train' && stages !== 'train' ? 1 : perStage;
      for (let i = 0; i < replicas; i++)
        children.push(await startProcess(stages, mode, redis.prefix, { ...env, REDIS_URL: redis.redisUrl }));
    }
    pipeline = createPipeline({ registry, connection: redis.redisUrl, prefix: redis.prefix });
    const ids: string[] = [];
    const start = performance.now();
    let started = 0;
    const caller = async () => {
      while (started < count) {
        started++;
        ids.push((await pipeline!.startRun({ experimentId, trigger: 'api', seed: started })).id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, count) }, caller));
    await waitSucceeded(ids);
    return (performance.now() - start) / 1000;
  } finally {
    await stopAll(children);
    await pipeline?.close();
    await redis.cleanup();
  }
}

try {
  const dataset = await ensureDataset(registry, { name: 'scale-out', useCase: 'tabular' });
  const rows = syntheticTabular(4_000, 3);
  const csv = [
    'tenure,spend,plan,churn',
    ...rows.map((r) => `${r.features.tenure},${r.features.spend},${r.features.plan},${r.target}`),
  ].join('\n');
  await writeFile(join(dir, 'churn.csv'), csv);
  const { version } = await ingestDatasetVersion(
    { registry, store },
    {
      datasetId: dataset.id,
      spec: {
        useCase: 'tabular',
        source: { kind: 'file', path: join(dir, 'churn.csv') },
        columnMap: { target: 'churn' },
      },
    },
  );
  const trainRows = (version.split as { counts: { train: number } }).counts.train;
  const env = {
    LATHE_ARTIFACT_DIR: join(dir, 'store'),
    BENCH_DATASET_VERSION_ID: version.id,
    BENCH_DATASET_SHA256: version.sha256,
    BENCH_DATASET_ROWS: String(version.rows),
  };
  const experiment = (name: string, hyperparameters: Record<string, unknown>) =>
    createExperiment(registry, {
      name,
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: hyperparameters as never,
      datasetId: dataset.id,
      gate: [],
      rolloutPolicy: {},
      cacheEnabled: false,
    });
  const noopExperiment = await experiment('scale-out-noop', {});
  const trainExperiment = await experiment('scale-out-train', {
    epochs: EPOCHS,
    batchSize: 64,
    hiddenUnits: [32, 16],
    checkpointEvery: 1,
  });

  const rates = {
    noop: { 1: [] as number[], 2: [] as number[] },
    train: { 1: [] as number[], 2: [] as number[] },
  };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const);
    for (const n of order) {
      const seconds = await timeRuns(n, 'noop', noopExperiment.id, pipelines, env);
      rates.noop[n].push(pipelines / seconds);
      console.log(
        `round ${round + 1}, ${n} process(es) per stage, no-op stages: ${(pipelines / seconds).toFixed(1)} pipelines/s`,
      );
    }
    for (const n of order) {
      const seconds = await timeRuns(n, 'train', trainExperiment.id, trainRuns, env);
      const samples = (trainRuns * trainRows * EPOCHS) / seconds;
      rates.train[n].push(samples);
      console.log(
        `round ${round + 1}, ${n} train process(es): ${samples.toFixed(0)} samples/s (${trainRuns} runs × ${trainRows} rows × ${EPOCHS} epochs)`,
      );
    }
  }
  const noop1 = median(rates.noop[1]);
  const noop2 = median(rates.noop[2]);
  const train1 = median(rates.train[1]);
  const train2 = median(rates.train[2]);
  console.log(
    `no-op pipelines: 1 process/stage ${noop1.toFixed(1)}/s, 2 processes/stage ${noop2.toFixed(1)}/s, ratio 2/1: ${(noop2 / noop1).toFixed(3)}`,
  );
  console.log(
    `training: 1 process ${train1.toFixed(0)} samples/s, 2 processes ${train2.toFixed(0)} samples/s, ratio 2/1: ${(train2 / train1).toFixed(3)}`,
  );
} finally {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
