/**
 * A train worker process killed with SIGKILL in the middle of training: another worker picks
 * the stalled job up, resumes from the last checkpoint in the artifact store (not from epoch 1),
 * finishes, and the run has exactly one model version and one loss point per epoch.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess, ingestDatasetVersion } from '@lathe/data';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import { getRunWithStages, getStageCheckpoint, listRunMetrics } from '@lathe/registry';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { REPO_ROOT, deployNothing, ingestExisting } from '../harness/index.ts';
import { createPipelineFixture, waitFor, waitForRun, type PipelineFixture } from '../pipeline/support.ts';

let fx: PipelineFixture;
let dir: string;
let store: LocalArtifactStore;
let workers: WorkerGroup;
let datasetVersionId: string;
const children: ChildProcess[] = [];

function startTrainWorker(): Promise<ChildProcess> {
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
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`train worker exited early (${code})`)));
  });
}

beforeAll(async () => {
  fx = await createPipelineFixture('crash');
  dir = await mkdtemp(join(tmpdir(), 'lathe-crash-'));
  store = new LocalArtifactStore(join(dir, 'store'));
  const rows = syntheticTabular(12_000, 5);
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
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await workers.close();
  await fx.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a train worker killed mid-training', () => {
  it('resumes from its checkpoint in another worker and registers one model version', async () => {
    const epochs = 6;
    const experiment = await fx.experiment(
      { epochs, batchSize: 32, learningRate: 0.003, hiddenUnits: [32, 16], checkpointEvery: 1 },
      { cacheEnabled: false },
    );
    const first = await startTrainWorker();
    const run = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: 5 });

    // Kill it once a checkpoint past epoch 1 exists and before training is over.
    const checkpoint = await waitFor(
      'a checkpoint',
      async () => {
        const saved = await getStageCheckpoint(fx.db.registry, run.id, 'train');
        return saved && saved.epoch >= 2 ? saved : null;
      },
      120_000,
    );
    expect(checkpoint.epoch).toBeLessThan(epochs);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    await startTrainWorker();
    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed'], 180_000);
    expect(done.errorMessage).toBeNull();
    expect(done.status).toBe('succeeded');

    const stages = await getRunWithStages(fx.db.registry, run.id);
    const train = stages.stages.find((s) => s.stage === 'train')!;
    const output = train.output as {
      epochs: number;
      resumedFromEpoch: number | null;
      modelVersionId: string;
    };
    expect(train.attempts).toBeGreaterThanOrEqual(2);
    expect(output.epochs).toBe(epochs);
    expect(output.resumedFromEpoch).toBeGreaterThanOrEqual(checkpoint.epoch);
    expect(await fx.db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(1);
    const losses = await listRunMetrics(fx.db.registry, run.id, 'loss');
    expect(losses.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
