/**
 * GAN augmentation on the real pipeline (the real train and evaluate handlers): an image
 * experiment whose training split lacks class `2` entirely, with `ganAugmentation` naming a
 * registered DCGAN version trained on class-2 images only, trains on the generated images as
 * class 2 (the model version's labels include it), and reproducing the run regenerates the same
 * images and gives bit-identical weights. Its evaluation (GET /evaluations/:id) carries the image
 * metrics FGSM adds and one averaged pixel-attribution map per class. Naming a model version that is not
 * generative fails the run with a reason a user can act on.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import type { DatasetAccess } from '@lathe/contract';
import { train } from '@lathe/ml';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import {
  createExperiment,
  ensureDataset,
  registerDatasetVersion,
  registerModelVersion,
} from '@lathe/registry';
import { syntheticImages } from '../../packages/ml/src/testing/synthetic.ts';
import { createRunReproducer } from '../../services/api/src/reproduce-run.ts';
import { createDeployHandler } from '../../services/deploy/src/handler.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import { waitForRun } from '../pipeline/support.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

let api: TestApi;
let workers: WorkerGroup;
let storeDir: string;
let datasetId: string;
let ganVersionId: string;
let classifierVersionId: string;
let store: LocalArtifactStore;

const shape = { width: 8, height: 8, channels: 1 };
const splits = {
  train: syntheticImages(300, 1).filter((r) => r.label !== '2'),
  validation: syntheticImages(60, 2),
  test: syntheticImages(120, 3),
};
const datasets: DatasetAccess = {
  async open() {
    return {
      metadata: { useCase: 'image', imageShape: shape },
      counts: { train: splits.train.length, validation: 60, test: 120 },
      async *rows(split) {
        yield* splits[split];
      },
    };
  },
};

async function experiment(ganAugmentation: unknown): Promise<string> {
  return (
    await createExperiment(api.db.registry, {
      name: `augmented-${randomUUID().slice(0, 8)}`,
      useCase: 'image',
      modelFamily: 'cnn',
      hyperparameters: {
        epochs: 3,
        batchSize: 32,
        depth: 1,
        width: 4,
        hiddenUnits: 16,
        learningRate: 0.01,
        ganAugmentation,
      } as never,
      datasetId,
      gate: [],
      rolloutPolicy: {},
      cacheEnabled: false,
    })
  ).id;
}

beforeAll(async () => {
  api = await startTestApi('gan_augmentation');
  storeDir = await mkdtemp(join(tmpdir(), 'lathe-gan-augmentation-'));
  store = new LocalArtifactStore(storeDir);
  const register = async (
    modelName: string,
    useCase: 'generative' | 'image',
    buffer: Uint8Array,
    signature: unknown,
  ) => {
    const stored = await store.put(buffer);
    const { modelVersion } = await registerModelVersion(api.db.registry, {
      modelName,
      useCase,
      modelFamily: useCase === 'generative' ? 'dcgan' : 'cnn',
      artifactUri: stored.uri,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      signature: signature as never,
    });
    return modelVersion.id;
  };
  const gan = await train({
    family: 'dcgan',
    hyperparameters: {
      epochs: 3,
      batchSize: 32,
      latentDim: 8,
      width: 4,
      sampleCount: 4,
      learningRate: 0.002,
    },
    seed: 4,
    dataset: { useCase: 'generative', imageShape: shape },
    trainRows: async function* () {
      yield* syntheticImages(400, 9).filter((r) => r.label === '2');
    },
  });
  ganVersionId = await register('diagonals-gan', 'generative', gan.buffer, gan.bundle.signature);
  const classifier = await train({
    family: 'cnn',
    hyperparameters: { epochs: 1, batchSize: 32, depth: 1, width: 4, hiddenUnits: 8 },
    seed: 1,
    dataset: { useCase: 'image', imageShape: shape },
    trainRows: async function* () {
      yield* splits.train;
    },
  });
  classifierVersionId = await register('not-a-gan', 'image', classifier.buffer, classifier.bundle.signature);
  const dataset = await ensureDataset(api.db.registry, {
    name: 'shapes-without-diagonals',
    useCase: 'image',
  });
  const { version } = await registerDatasetVersion(api.db.registry, {
    datasetId: dataset.id,
    sha256: createHash('sha256').update('shapes without diagonals').digest('hex'),
    uri: 'memory://shapes',
    format: 'jsonl',
    rows: splits.train.length + 180,
    sizeBytes: 10,
    schema: {},
    source: { kind: 'test' },
  });
  datasetId = dataset.id;
  workers = await startWorkers({
    pipeline: api.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: async () => ({ datasetVersionId: version.id, sha256: version.sha256, rows: version.rows }),
      train: createTrainHandler({ store, datasets }),
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

describe('ganAugmentation', () => {
  it('trains on the generated images as the named class', async () => {
    const experimentId = await experiment({ modelVersionId: ganVersionId, label: '2', count: 100 });
    const run = await api.pipeline.startRun({ experimentId, trigger: 'api', seed: 7 });
    const done = await waitForRun(api.pipeline, run.id, ['succeeded', 'failed'], 240_000);
    expect(done.errorMessage).toBeNull();
    const version = await api.db.registry.modelVersion.findFirstOrThrow({ where: { runId: run.id } });
    // The real training split has no class 2: only the generated images can have taught it.
    expect((version.signature as { labels: string[] }).labels).toEqual(['0', '1', '2']);
    const evaluation = await api.db.registry.evaluation.findFirstOrThrow({ where: { runId: run.id } });
    const response = await api.request('GET', `/evaluations/${evaluation.id}`, { key: api.keys.viewer });
    expect(response.status).toBe(200);
    expect(response.body.metrics.fgsmEpsilon).toBe(0.1);
    expect(response.body.metrics.accuracyFgsm).toBeLessThanOrEqual(response.body.metrics.accuracy);
    expect(response.body.explanations).toMatchObject({ method: 'integrated_gradients', over: 'pixels' });
    const classes = response.body.explanations.classes as { label: string; map: number[] }[];
    expect(classes.map((c) => c.label)).toEqual(['0', '1', '2']);
    expect(classes.every((c) => c.map.length === 64)).toBe(true);
    const reproduction = await createRunReproducer({ registry: api.db.registry, store, datasets })(run.id);
    expect(reproduction.verdict).toBe('identical');
  }, 300_000);

  it('fails the run when the named version cannot generate images', async () => {
    const experimentId = await experiment({ modelVersionId: classifierVersionId, label: '2', count: 10 });
    const run = await api.pipeline.startRun({ experimentId, trigger: 'api', seed: 7 });
    const done = await waitForRun(api.pipeline, run.id, ['succeeded', 'failed'], 240_000);
    expect(done.status).toBe('failed');
    expect(done.errorMessage).toContain('cannot generate images');
  }, 300_000);
});
