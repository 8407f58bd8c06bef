/**
 * Explanations stored with each evaluation: a real run (the real train and evaluate handlers)
 * on a tabular set where only `a` and `b` decide the target stores permutation importance with
 * its spread over repeats, `a` and `b` on top, and GET /evaluations/:id returns it with the
 * robustness metrics (accuracy under Gaussian feature noise and under FGSM, with their drops). A
 * gate on the FGSM drop refuses the model when the drop exceeds its threshold.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import type { DatasetAccess } from '@lathe/contract';
import { seededRandom } from '@lathe/ml';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import { createExperiment, ensureDataset, registerDatasetVersion } from '@lathe/registry';
import { createDeployHandler } from '../../services/deploy/src/handler.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import { waitForRun } from '../pipeline/support.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

let api: TestApi;
let workers: WorkerGroup;
let storeDir: string;
let experimentId: string;
let gatedExperimentId: string;

function knownFeatures(n: number, seed: number) {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const f = {
      a: r() * 2 - 1,
      b: r() * 2 - 1,
      noise1: r() * 2 - 1,
      noise2: r() * 2 - 1,
      noise3: r() * 2 - 1,
    };
    return { features: f, target: 2 * f.a - 1.5 * f.b > 0 ? 'yes' : 'no' };
  });
}
const splits = {
  train: knownFeatures(800, 1),
  validation: knownFeatures(100, 2),
  test: knownFeatures(300, 3),
};
const datasets: DatasetAccess = {
  async open() {
    return {
      metadata: { useCase: 'tabular', labels: ['no', 'yes'] },
      counts: { train: 800, validation: 100, test: 300 },
      async *rows(split) {
        yield* splits[split];
      },
    };
  },
};

beforeAll(async () => {
  api = await startTestApi('explanations');
  storeDir = await mkdtemp(join(tmpdir(), 'lathe-explanations-'));
  const store = new LocalArtifactStore(storeDir);
  const dataset = await ensureDataset(api.db.registry, { name: 'known-features', useCase: 'tabular' });
  const { version } = await registerDatasetVersion(api.db.registry, {
    datasetId: dataset.id,
    sha256: createHash('sha256').update('known features').digest('hex'),
    uri: 'memory://known',
    format: 'jsonl',
    rows: 1200,
    sizeBytes: 10,
    schema: {},
    source: { kind: 'test' },
  });
  experimentId = (
    await createExperiment(api.db.registry, {
      name: `known-${randomUUID().slice(0, 8)}`,
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: { epochs: 15, batchSize: 32, hiddenUnits: [16], learningRate: 0.02 } as never,
      datasetId: dataset.id,
      gate: [],
      rolloutPolicy: {},
      cacheEnabled: false,
    })
  ).id;
  gatedExperimentId = (
    await createExperiment(api.db.registry, {
      name: `known-gated-${randomUUID().slice(0, 8)}`,
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: { epochs: 15, batchSize: 32, hiddenUnits: [16], learningRate: 0.02 } as never,
      datasetId: dataset.id,
      // No model can pass: FGSM never raises accuracy here, so the drop is at least 0.
      gate: [{ metric: 'robustnessDropFgsm', op: '<=', value: -0.01 }],
      rolloutPolicy: {},
      cacheEnabled: false,
    })
  ).id;
  workers = await startWorkers({
    pipeline: api.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: async () => ({ datasetVersionId: version.id, sha256: version.sha256, rows: 1200 }),
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

describe('explanations stored with each evaluation', () => {
  it('ranks the features that decide the target on top, with intervals, and the API returns them', async () => {
    const run = await api.pipeline.startRun({ experimentId, trigger: 'api', seed: 7 });
    const done = await waitForRun(api.pipeline, run.id, ['succeeded', 'failed'], 240_000);
    expect(done.errorMessage).toBeNull();
    const evaluation = await api.db.registry.evaluation.findFirstOrThrow({ where: { runId: run.id } });
    const response = await api.request('GET', `/evaluations/${evaluation.id}`, { key: api.keys.viewer });
    expect(response.status).toBe(200);
    const explanation = response.body.explanations;
    expect(explanation).toMatchObject({
      method: 'permutation_importance',
      over: 'features',
      metric: 'accuracy',
      rows: 300,
      repeats: 5,
    });
    const importances = explanation.importances as {
      feature: string;
      mean: number;
      low: number;
      high: number;
    }[];
    expect(
      importances
        .slice(0, 2)
        .map((i) => i.feature)
        .sort(),
    ).toEqual(['a', 'b']);
    for (const noise of importances.slice(2)) expect(noise.high).toBeLessThan(importances[1]!.low);
    expect(importances.every((i) => i.low <= i.mean && i.mean <= i.high)).toBe(true);
    // Robustness joins the metrics: stored, returned, and gate-able like accuracy.
    const metrics = response.body.metrics as Record<string, number>;
    expect(metrics.accuracyGaussianNoise).toBeGreaterThan(0.5);
    expect(metrics.robustnessDropGaussianNoise).toBeCloseTo(
      metrics.accuracy! - metrics.accuracyGaussianNoise!,
      1,
    );
    expect(metrics.fgsmEpsilon).toBe(0.1);
    expect(metrics.accuracyFgsm).toBeLessThanOrEqual(metrics.accuracy!);
    expect(metrics.robustnessDropFgsm).toBeGreaterThanOrEqual(0);
  }, 300_000);

  it('a gate on the FGSM drop refuses the model when the drop exceeds its threshold', async () => {
    const run = await api.pipeline.startRun({ experimentId: gatedExperimentId, trigger: 'api', seed: 7 });
    const done = await waitForRun(api.pipeline, run.id, ['succeeded', 'failed'], 240_000);
    expect(done.status).toBe('failed');
    const evaluation = await api.db.registry.evaluation.findFirstOrThrow({ where: { runId: run.id } });
    expect(evaluation.verdict).toBe('failed');
    expect((evaluation.reasons as string[]).join(' ')).toContain('robustnessDropFgsm');
  }, 300_000);
});
