/**
 * Train worker processes killed with SIGKILL mid-epoch, 10 times across 5 runs (two kills per
 * run, each after a newer checkpoint than the last): a standby worker process takes the stalled
 * job over, resumes from the last checkpoint, and a fresh standby replaces the killed one.
 * Every run completes with exactly one model version (0 duplicates), one loss point per epoch,
 * and its final attempt resumed from at least the checkpoint that existed when it was killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess, ingestDatasetVersion } from '@lathe/data';
import { startRecoveryLoop, startWorkers, type WorkerGroup } from '@lathe/queues';
import { getRunWithStages, getStageCheckpoint, listRunMetrics } from '@lathe/registry';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { REPO_ROOT, deployNothing, ingestExisting } from '../harness/index.ts';
import { createPipelineFixture, waitFor, waitForRun, type PipelineFixture } from '../pipeline/support.ts';

const RUNS = 5;
const KILLS_PER_RUN = 2;
const EPOCHS = 8;

interface TrainWorker {
  child: ChildProcess;
  /** The run whose attempt this process started last. */
  training: string | null;
}

let fx: PipelineFixture;
let dir: string;
let store: LocalArtifactStore;
let workers: WorkerGroup;
let datasetVersionId: string;
let recovery: { stop(): void } | undefined;
const live: TrainWorker[] = [];
const all: ChildProcess[] = [];

function startTrainWorker(): Promise<TrainWorker> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test/stages/fixtures/train-worker-process.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: fx.db.schemaUrl,
        LATHE_QUEUE_PREFIX: fx.redis.prefix,
        LATHE_ARTIFACT_DIR: join(dir, 'store'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  all.push(child);
  const worker: TrainWorker = { child, training: null };
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === 'ready') resolve(worker);
        if (line.startsWith('training ')) worker.training = line.slice('training '.length);
      }
    });
    child.once('exit', (code, signal) => {
      const at = live.indexOf(worker);
      if (at >= 0) live.splice(at, 1);
      if (signal !== 'SIGKILL') reject(new Error(`train worker exited (${code ?? signal})`));
    });
  });
}

beforeAll(async () => {
  fx = await createPipelineFixture('kill-loop');
  dir = await mkdtemp(join(tmpdir(), 'lathe-kill-loop-'));
  store = new LocalArtifactStore(join(dir, 'store'));
  const rows = syntheticTabular(6_000, 9);
  const csv = [
    'tenure,spend,plan,churn',
    ...rows.map((r) => `${r.features.tenure},${r.features.spend},${r.features.plan},${r.target}`),
  ].join('\n');
  await writeFile(join(dir, 'churn.csv'), csv);
  const { version } = await ingestDatasetVersion(
    { registry: fx.db.registry, store },
    {
      datasetId: fx.datasetId,
      spec: {
        useCase: 'tabular',
        source: { kind: 'file', path: join(dir, 'churn.csv') },
        columnMap: { target: 'churn' },
      },
    },
  );
  datasetVersionId = version.id;
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'evaluate', 'deploy'],
    handlers: {
      ingest: ingestExisting(() => datasetVersionId),
      evaluate: createEvaluateHandler({ store, datasets: createDatasetAccess(store) }),
      deploy: deployNothing,
    },
  });
  // Two train workers: one trains, the other stands by to take a killed one's job over.
  live.push(await startTrainWorker(), await startTrainWorker());
  // The reconciler, as the ingest worker runs it: a job that BullMQ gave up on after too many
  // stalls (a killed worker, or a busy machine letting a live worker's lock lapse) leaves its
  // run active in Postgres with no job; the run is re-enqueued from the stage it had reached.
  recovery = startRecoveryLoop(fx.pipeline, { intervalMs: 1_000, olderThanMs: 2_000 });
}, 120_000);

afterAll(async () => {
  recovery?.stop();
  for (const child of all) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await workers?.close();
  await fx?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('train workers killed mid-epoch, again and again', () => {
  it('completes every run with one model version, resuming each time from the last checkpoint', async () => {
    const experiment = await fx.experiment(
      { epochs: EPOCHS, batchSize: 32, learningRate: 0.003, hiddenUnits: [32, 16], checkpointEvery: 1 },
      { cacheEnabled: false },
    );
    let kills = 0;
    for (let r = 0; r < RUNS; r++) {
      const run = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: 100 + r });
      let lastCheckpoint = 0;
      for (let k = 0; k < KILLS_PER_RUN; k++) {
        // A newer checkpoint than at the last kill, training not over: kill the process training it.
        const checkpoint = await waitFor(
          `run ${r}: a checkpoint past epoch ${lastCheckpoint}`,
          async () => {
            const saved = await getStageCheckpoint(fx.db.registry, run.id, 'train');
            return saved && saved.epoch > lastCheckpoint ? saved : null;
          },
          120_000,
        );
        expect(checkpoint.epoch).toBeLessThan(EPOCHS);
        const victim = await waitFor(
          'the process training it',
          async () => live.find((w) => w.training === run.id),
          30_000,
        );
        victim.child.kill('SIGKILL');
        await new Promise((resolve) => victim.child.once('exit', resolve));
        kills += 1;
        lastCheckpoint = checkpoint.epoch;
        live.push(await startTrainWorker());
      }

      const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed'], 180_000);
      expect(done.errorMessage).toBeNull();
      expect(done.status).toBe('succeeded');
      const train = (await getRunWithStages(fx.db.registry, run.id)).stages.find((s) => s.stage === 'train')!;
      const output = train.output as { epochs: number; resumedFromEpoch: number | null };
      expect(train.attempts).toBeGreaterThanOrEqual(KILLS_PER_RUN + 1);
      expect(output.epochs).toBe(EPOCHS);
      expect(output.resumedFromEpoch).toBeGreaterThanOrEqual(lastCheckpoint);
      expect(output.resumedFromEpoch).toBeLessThan(EPOCHS);
      expect(await fx.db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(1);
      const losses = await listRunMetrics(fx.db.registry, run.id, 'loss');
      expect(losses.map((m) => m.step)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    }
    expect(kills).toBe(RUNS * KILLS_PER_RUN);
    expect(await fx.db.registry.modelVersion.count()).toBe(RUNS);
  }, 480_000);
});
