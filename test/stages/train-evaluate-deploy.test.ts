/**
 * The real train, evaluate and deploy handlers on the real pipeline (Postgres, Redis, a local
 * artifact store), with a tiny tabular churn dataset served by an in-memory DatasetAccess:
 * a model really trains, is registered once with its artifact, is scored on the test split,
 * gated, and deployed; a later model worse than production fails the gate with reasons and
 * never reaches deploy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import type { DatasetAccess } from '@lathe/contract';
import { loadModel } from '@lathe/ml';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import { getAlias, getRunWithStages, listRunMetrics } from '@lathe/registry';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import { createDeployHandler } from '../../services/deploy/src/handler.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import { ingestExisting } from '../harness/index.ts';
import { createPipelineFixture, waitForRun, type PipelineFixture } from '../pipeline/support.ts';

let fx: PipelineFixture;
let workers: WorkerGroup;
let store: LocalArtifactStore;
let storeDir: string;

const rows = syntheticTabular(400, 7);
const splits = { train: rows.slice(0, 280), validation: rows.slice(280, 340), test: rows.slice(340) };
const datasets: DatasetAccess = {
  async open() {
    return {
      metadata: { useCase: 'tabular', labels: ['churn', 'stay'] },
      counts: { train: splits.train.length, validation: splits.validation.length, test: splits.test.length },
      async *rows(split) {
        yield* splits[split];
      },
    };
  },
};
const ingest = ingestExisting(() => fx.datasetVersionId);

beforeAll(async () => {
  fx = await createPipelineFixture('stages');
  storeDir = await mkdtemp(join(tmpdir(), 'lathe-stages-'));
  store = new LocalArtifactStore(storeDir);
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest,
      train: createTrainHandler({ store, datasets }),
      evaluate: createEvaluateHandler({ store, datasets }),
      deploy: createDeployHandler(),
    },
  });
});
afterAll(async () => {
  await workers.close();
  await fx.close();
  await rm(storeDir, { recursive: true, force: true });
});

describe('train → evaluate → deploy with the real handlers', () => {
  it('trains, registers one model version with its artifact, evaluates, passes the gate and becomes production', async () => {
    const experiment = await fx.experiment(
      { epochs: 4, learningRate: 0.01, hiddenUnits: [16] },
      { cacheEnabled: false },
    );
    await fx.db.registry.experiment.update({
      where: { id: experiment.id },
      data: { gate: [{ metric: 'accuracy', op: '>=', value: 0.7 }] },
    });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: 11 });
    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed'], 120_000);
    expect(done.errorMessage).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(done.backend).toMatch(/wasm|cpu|tensorflow/);

    const stages = await getRunWithStages(fx.db.registry, run.id);
    const trainOut = stages.stages.find((s) => s.stage === 'train')!.output as {
      modelVersionId: string;
      epochs: number;
    };
    expect(trainOut.epochs).toBe(4);
    const modelVersion = await fx.db.registry.modelVersion.findUniqueOrThrow({
      where: { id: trainOut.modelVersionId },
    });
    expect(modelVersion).toMatchObject({
      modelName: experiment.name,
      version: 1,
      runId: run.id,
      modelFamily: 'mlp',
    });
    // The artifact is in the store, verified by sha256, and loads into a working model.
    const model = await loadModel(await store.getBuffer(modelVersion.sha256), {
      expectedSha256: modelVersion.sha256,
    });
    const [prediction] = await model.predict([splits.test[0]]);
    expect(Object.keys(prediction!.probabilities ?? {}).sort()).toEqual(['churn', 'stay']);
    model.dispose();

    const losses = await listRunMetrics(fx.db.registry, run.id, 'loss');
    expect(losses.map((m) => m.step)).toEqual([1, 2, 3, 4]);

    const evaluation = await fx.db.registry.evaluation.findFirstOrThrow({ where: { runId: run.id } });
    const metrics = evaluation.metrics as Record<string, number>;
    expect(metrics.accuracy).toBeGreaterThan(0.7);
    expect(metrics.auc).toBeGreaterThan(0.75);
    expect(evaluation.verdict).toBe('passed');
    expect(evaluation.reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/^accuracy 0\.\d+ ≥ required 0\.7/)]),
    );
    expect((evaluation.slices as Array<{ segment: string }>).map((s) => s.segment)).toEqual([
      'class=churn',
      'class=stay',
    ]);
    expect((await getAlias(fx.db.registry, experiment.name, 'production'))?.modelVersionId).toBe(
      modelVersion.id,
    );

    // A model that barely trains is worse than production beyond the allowed change: the gate
    // fails with one reason per threshold and deploy never runs.
    await fx.db.registry.experiment.update({
      where: { id: experiment.id },
      data: {
        hyperparameters: { epochs: 1, learningRate: 0.00001, hiddenUnits: [2] },
        gate: [{ metric: 'auc', maxDecrease: 0.01 }],
      },
    });
    const worse = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: 3 });
    const failed = await waitForRun(fx.pipeline, worse.id, ['succeeded', 'failed'], 120_000);
    expect(failed).toMatchObject({ status: 'failed', errorStage: 'evaluate', errorCode: 'gate_failed' });
    expect(failed.errorMessage).toMatch(/auc 0\.\d+ < required 0\.\d+ \(baseline 0\.\d+ − 0\.01\)/);
    const worseStages = await getRunWithStages(fx.db.registry, worse.id);
    expect(worseStages.stages.find((s) => s.stage === 'deploy')!.status).toBe('pending');
    const worseEvaluation = await fx.db.registry.evaluation.findFirstOrThrow({ where: { runId: worse.id } });
    expect(worseEvaluation).toMatchObject({ verdict: 'failed', baselineModelVersionId: modelVersion.id });
    expect((await getAlias(fx.db.registry, experiment.name, 'production'))?.modelVersionId).toBe(
      modelVersion.id,
    );
  });
});
