/**
 * Reproducible runs end to end: the real train handler trains a tabular model (dropout on) in a
 * real run on the real pipeline, records its backend, lockfile and weights sha256, and
 * `POST /runs/:id/reproduce` (and `lathe run reproduce`) retrain it from the model version's own
 * record on the same dataset version: identical weights; rows that changed under the dataset
 * version give "different" and name the first differing tensor; another seed gives other weights.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import type { DatasetAccess } from '@lathe/contract';
import { deserializeBundle, lockfileSha256, weightsDigest } from '@lathe/ml';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import {
  createExperiment,
  createRun,
  ensureDataset,
  findModelVersionOfRun,
  getRunWithStages,
  registerDatasetVersion,
} from '@lathe/registry';
import { runCli, type CliIo } from '../../packages/cli/src/index.ts';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import { createRunReproducer, type RunReproducer } from '../../services/api/src/reproduce-run.ts';
import { createDeployHandler } from '../../services/deploy/src/handler.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import { waitForRun } from '../pipeline/support.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

let api: TestApi;
let workers: WorkerGroup;
let store: LocalArtifactStore;
let storeDir: string;
let reproducer: RunReproducer;
let experimentId: string;
let lockfile: string;

const rows = syntheticTabular(300, 5);
const splits = { train: rows.slice(0, 200), validation: rows.slice(200, 250), test: rows.slice(250) };
/** While true, the train split lost its first row: the data changed under the same version. */
let tampered = false;
const datasets: DatasetAccess = {
  async open() {
    return {
      metadata: { useCase: 'tabular', labels: ['churn', 'stay'] },
      counts: { train: splits.train.length, validation: splits.validation.length, test: splits.test.length },
      async *rows(split) {
        yield* split === 'train' && tampered ? splits.train.slice(1) : splits[split];
      },
    };
  },
};

beforeAll(async () => {
  api = await startTestApi('reproduce', {}, { reproduceRun: (id) => reproducer(id) });
  storeDir = await mkdtemp(join(tmpdir(), 'lathe-reproduce-'));
  store = new LocalArtifactStore(storeDir);
  lockfile = (await lockfileSha256(import.meta.dirname))!;
  reproducer = createRunReproducer({ registry: api.db.registry, store, datasets, lockfileSha256: lockfile });
  const dataset = await ensureDataset(api.db.registry, { name: 'churn-reproduce', useCase: 'tabular' });
  const { version } = await registerDatasetVersion(api.db.registry, {
    datasetId: dataset.id,
    sha256: createHash('sha256').update('churn rows').digest('hex'),
    uri: 'memory://churn',
    format: 'csv',
    rows: rows.length,
    sizeBytes: 10,
    schema: {},
    source: { kind: 'test' },
  });
  const experiment = await createExperiment(api.db.registry, {
    name: `churn-${randomUUID().slice(0, 8)}`,
    useCase: 'tabular',
    modelFamily: 'mlp',
    hyperparameters: { epochs: 3, batchSize: 32, hiddenUnits: [16], dropout: 0.3 } as never,
    datasetId: dataset.id,
    gate: [],
    rolloutPolicy: {},
    cacheEnabled: false,
  });
  experimentId = experiment.id;
  workers = await startWorkers({
    pipeline: api.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: async () => ({ datasetVersionId: version.id, sha256: version.sha256!, rows: rows.length }),
      train: createTrainHandler({ store, datasets, lockfileSha256: lockfile }),
      evaluate: createEvaluateHandler({ store, datasets }),
      deploy: createDeployHandler(),
    },
  });
}, 120_000);

afterAll(async () => {
  await workers?.close();
  await api?.close();
  await rm(storeDir, { recursive: true, force: true });
});

/** A run whose train stage succeeded (a later one may stop at deploy: the endpoint's A/B test is busy). */
async function trainedRun(seed: number) {
  const run = await api.pipeline.startRun({ experimentId, trigger: 'api', seed });
  const done = await waitForRun(api.pipeline, run.id, ['succeeded', 'failed'], 180_000);
  const train = (await getRunWithStages(api.db.registry, run.id)).stages.find((s) => s.stage === 'train')!;
  expect(train.status).toBe('succeeded');
  return { run: done, modelVersion: (await findModelVersionOfRun(api.db.registry, run.id))! };
}

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    env: { HOME: storeDir, LATHE_API_URL: api.url, LATHE_API_KEY: api.keys.editor },
    fetch: globalThis.fetch,
    out: () => out,
    err: () => err,
  };
}

describe('POST /runs/:id/reproduce', () => {
  it('records what a run trained on, and a rerun gives the identical weights sha256', async () => {
    const { run, modelVersion } = await trainedRun(21);
    expect(run.status).toBe('succeeded');
    expect(run.lockfileSha256).toBe(lockfile);
    expect(run.backendInfo).toMatchObject({ name: 'wasm', threads: 1, deterministic: true });
    const files = deserializeBundle(await store.getBuffer(modelVersion.sha256));
    expect(modelVersion.weightsSha256).toBe(weightsDigest(files).sha256);

    const shown = await api.request('GET', `/runs/${run.id}`, { key: api.keys.viewer });
    expect(shown.body).toMatchObject({
      lockfileSha256: lockfile,
      backendInfo: { name: 'wasm', deterministic: true, reason: expect.stringMatching(/one thread/) },
    });

    const response = await api.request('POST', `/runs/${run.id}/reproduce`, { key: api.keys.editor });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      runId: run.id,
      modelVersionId: modelVersion.id,
      verdict: 'identical',
      seed: 21,
      deterministic: true,
      environmentDifferences: [],
      weights: { identical: true, firstDifference: null, rerunSha256: modelVersion.weightsSha256 },
      original: { name: 'wasm', lockfileSha256: lockfile },
    });
    expect(response.body.summary).toMatch(/^identical: all \d+ weight tensors/);

    const cli = captureIo();
    expect(await runCli(['run', 'reproduce', run.id], cli)).toBe(0);
    expect(cli.out()).toContain(`run ${run.id}: identical`);
    expect(cli.out()).toContain(`rerun    ${modelVersion.weightsSha256}`);

    // Rows that changed under the same dataset version: the rerun names where it parted.
    tampered = true;
    try {
      const different = await api.request('POST', `/runs/${run.id}/reproduce`, { key: api.keys.editor });
      expect(different.status).toBe(200);
      expect(different.body.verdict).toBe('different');
      expect(different.body.weights.firstDifference).toMatchObject({ index: 0, reason: 'values' });
      expect(different.body.summary).toMatch(/first differing tensor is #0 .+ \(values, max \|Δ\| /);
      const failing = captureIo();
      expect(await runCli(['run', 'reproduce', run.id], failing)).toBe(3);
      expect(failing.out()).toContain('different: the first differing tensor');
    } finally {
      tampered = false;
    }
  }, 300_000);

  it('another seed trains other weights', async () => {
    const a = await trainedRun(31);
    const b = await trainedRun(32);
    expect(a.modelVersion.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.modelVersion.weightsSha256).not.toBe(a.modelVersion.weightsSha256);
  }, 300_000);

  it('refuses a run without a model version, an unknown run, and a viewer key', async () => {
    const { run } = await createRun(api.db.registry, { experimentId, trigger: 'api', seed: 1 });
    const none = await api.request('POST', `/runs/${run.id}/reproduce`, { key: api.keys.editor });
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ code: 'run_has_no_model' });
    expect(none.body.detail).toMatch(/reproduce a run whose train stage succeeded/);
    const unknown = await api.request('POST', `/runs/${randomUUID()}/reproduce`, { key: api.keys.editor });
    expect(unknown.status).toBe(404);
    const viewer = await api.request('POST', `/runs/${run.id}/reproduce`, { key: api.keys.viewer });
    expect(viewer.status).toBe(403);
  });
});
