/**
 * A DCGAN through the real ingest, train, evaluate and deploy handlers on the MNIST sample: the
 * evaluate stage scores it by the classifier two-sample test (generated against the test split's
 * real digits), stores c2stAccuracy, c2stZ, c2stPValue and c2stSamples with a note saying what
 * they mean, and a gate on c2stAccuracy decides: a lax bound passes and deploys, a strict one
 * fails the run at evaluate with `gate_failed` and the reason, and deploy never runs. A DCGAN
 * trained for two epochs on 320 digits makes images a small cnn always tells from real ones.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess } from '@lathe/data';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import { createExperiment, ensureDataset, getAlias, getRunWithStages } from '@lathe/registry';
import { createDeployHandler } from '../../services/deploy/src/handler.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { createIngestHandler } from '../../services/ingest/src/handler.ts';
import { createIngestSource } from '../../services/ingest/src/ingest-source.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import { createPipelineFixture, waitForRun, type PipelineFixture } from '../pipeline/support.ts';

let fx: PipelineFixture;
let workers: WorkerGroup;
let dir: string;

beforeAll(async () => {
  fx = await createPipelineFixture('generative-evaluate');
  dir = await mkdtemp(join(tmpdir(), 'lathe-generative-evaluate-'));
  const store = new LocalArtifactStore(dir);
  const datasets = createDatasetAccess(store);
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: createIngestHandler({ ingestSource: createIngestSource({ store }) }),
      train: createTrainHandler({ store, datasets }),
      evaluate: createEvaluateHandler({ store, datasets }),
      deploy: createDeployHandler(),
    },
  });
});
afterAll(async () => {
  await workers?.close();
  await fx?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a DCGAN evaluated by the classifier two-sample test, through the real pipeline', () => {
  it('stores the C2ST metrics, passes a lax gate on c2stAccuracy and fails a strict one with the reason', async () => {
    const name = 'dcgan-c2st';
    const dataset = await ensureDataset(fx.db.registry, { name, useCase: 'generative' });
    const experiment = await createExperiment(fx.db.registry, {
      name,
      useCase: 'generative',
      modelFamily: 'dcgan',
      hyperparameters: {
        epochs: 2,
        batchSize: 32,
        learningRate: 0.001,
        width: 4,
        latentDim: 8,
        sampleCount: 4,
      } as never,
      datasetId: dataset.id,
      source: {
        source: { kind: 'sample', name: 'mnist', options: { seed: 3 } },
        limit: 400,
        split: { strategy: 'random', fractions: { train: 0.8, validation: 0, test: 0.2 }, seed: 2 },
      } as never,
      gate: [{ metric: 'c2stAccuracy', op: '<=', value: 1 }],
      rolloutPolicy: {},
      cacheEnabled: false,
    });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: 7 });
    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed'], 180_000);
    expect(done.errorMessage).toBeNull();
    expect(done.status).toBe('succeeded');

    const evaluation = await fx.db.registry.evaluation.findFirstOrThrow({ where: { runId: run.id } });
    const metrics = evaluation.metrics as Record<string, number | string>;
    expect(metrics.c2stSamples).toBe(80); // min(1,000, the 80 test digits) per side
    expect(metrics.c2stAccuracy).toBeGreaterThan(0.8);
    expect(metrics.c2stZ).toBeGreaterThan(5);
    expect(metrics.c2stPValue).toBeLessThan(1e-4);
    expect(metrics.note).toMatch(/^classifier two-sample test \(Lopez-Paz & Oquab 2017\)/);
    expect(evaluation.verdict).toBe('passed');
    expect(evaluation.reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/^c2stAccuracy [01]\.\d+ ≤ required 1/)]),
    );
    const first = await fx.db.registry.modelVersion.findFirstOrThrow({ where: { runId: run.id } });
    expect((await getAlias(fx.db.registry, name, 'production'))?.modelVersionId).toBe(first.id);

    // A bound no barely trained GAN meets: the gate refuses, with the number and the bound.
    await fx.db.registry.experiment.update({
      where: { id: experiment.id },
      data: { gate: [{ metric: 'c2stAccuracy', op: '<=', value: 0.6 }] },
    });
    const strict = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: 7 });
    const failed = await waitForRun(fx.pipeline, strict.id, ['succeeded', 'failed'], 180_000);
    expect(failed).toMatchObject({ status: 'failed', errorStage: 'evaluate', errorCode: 'gate_failed' });
    expect(failed.errorMessage).toMatch(/c2stAccuracy [01]\.\d+ > required 0\.6/);
    const stages = await getRunWithStages(fx.db.registry, strict.id);
    expect(stages.stages.find((s) => s.stage === 'deploy')!.status).toBe('pending');
    const refused = await fx.db.registry.evaluation.findFirstOrThrow({ where: { runId: strict.id } });
    expect(refused).toMatchObject({ verdict: 'failed', baselineModelVersionId: first.id });
    // The production DCGAN was tested on the same footing (same seed, same real digits).
    expect((refused.baselineMetrics as Record<string, number>).c2stSamples).toBe(80);
    expect((await getAlias(fx.db.registry, name, 'production'))?.modelVersionId).toBe(first.id);
  }, 400_000);
});
