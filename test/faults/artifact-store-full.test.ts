/**
 * The artifact store's disk fills up (a real 8 MB tmpfs, mounted for the test: the machines
 * running the test command are root): the train stage fails with the `artifact_store_full`
 * code and a message that says what to do, leaves no model version, no half-written blob and
 * no spool file behind; once space returns, retrying the run finishes it with one model version
 * and one loss point per epoch.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess, ingestDatasetVersion } from '@lathe/data';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import { getRunWithStages, listRunMetrics } from '@lathe/registry';
import { writeFile } from 'node:fs/promises';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import { deployNothing, ingestExisting, recordedVerdict } from '../harness/index.ts';
import { createPipelineFixture, waitForRun, type PipelineFixture } from '../pipeline/support.ts';

let fx: PipelineFixture;
let dir: string;
let mountPoint: string;
let store: LocalArtifactStore;
let workers: WorkerGroup;
let datasetVersionId: string;

/** Writes zeros into `path` until the filesystem refuses (ENOSPC); returns the bytes written. */
function fillDisk(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return written;
}

beforeAll(async () => {
  if (process.getuid?.() !== 0)
    throw new Error('this test mounts a tmpfs and must run as root (the test command runs as root)');
  fx = await createPipelineFixture('disk-full');
  dir = await mkdtemp(join(tmpdir(), 'lathe-disk-full-'));
  mountPoint = join(dir, 'store');
  execFileSync('mkdir', ['-p', mountPoint]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint]);
  store = new LocalArtifactStore(mountPoint);

  const rows = syntheticTabular(1_500, 7);
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
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: ingestExisting(() => datasetVersionId),
      train: createTrainHandler({ store, datasets: createDatasetAccess(store) }),
      evaluate: recordedVerdict(),
      deploy: deployNothing,
    },
  });
});

afterAll(async () => {
  await workers?.close();
  await fx?.close();
  if (mountPoint) execFileSync('umount', [mountPoint]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the artifact store runs out of space', () => {
  it('fails the train stage with artifact_store_full, half-registers nothing, and a retry succeeds once space returns', async () => {
    const blobsBefore = await readdir(join(mountPoint, 'sha256'), { recursive: true });
    const filler = join(mountPoint, 'filler');
    expect(fillDisk(filler)).toBeGreaterThan(1024 * 1024);

    const epochs = 3;
    const experiment = await fx.experiment(
      { epochs, batchSize: 64, learningRate: 0.01, hiddenUnits: [16], checkpointEvery: 1 },
      { cacheEnabled: false },
    );
    const run = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: 2 });
    const failed = await waitForRun(fx.pipeline, run.id, ['failed', 'succeeded'], 120_000);
    expect(failed.status).toBe('failed');
    const train = (await getRunWithStages(fx.db.registry, run.id)).stages.find((s) => s.stage === 'train')!;
    expect(train.status).toBe('failed');
    expect(train.errorCode).toBe('artifact_store_full');
    expect(train.errorMessage).toMatch(
      /no space left \(ENOSPC\); free space or grow the volume, then retry the run/,
    );
    // Nothing half-registered: no model version, no new blob, no spool file left behind.
    expect(await fx.db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(0);
    expect(await readdir(join(mountPoint, 'sha256'), { recursive: true })).toEqual(blobsBefore);
    expect(await readdir(join(mountPoint, 'tmp'))).toEqual([]);

    await rm(filler);
    await fx.pipeline.retryRun(run.id);
    const done = await waitForRun(fx.pipeline, run.id, ['failed', 'succeeded'], 180_000);
    expect(done.errorMessage).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(await fx.db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(1);
    const losses = await listRunMetrics(fx.db.registry, run.id, 'loss');
    expect(losses.map((m) => m.step)).toEqual([1, 2, 3]);
  });
});
