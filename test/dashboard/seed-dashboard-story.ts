/**
 * The data the dashboard's page test reads, made the way a user's data is made: runs started
 * through the API go through the real pipeline with the real train, evaluate and deploy
 * handlers (a small churn MLP really trains), and an A/B test started by the deploy stage is
 * decided by the real rollout monitor on traffic recorded through the registry's intake.
 *
 *   run 1: v1 passes the gate and becomes production directly;
 *   run 2: a barely trained model fails the gate (a recent failure);
 *   run 3: v2, trained longer, passes the gate and enters an A/B test against v1; simulated
 *          visitors convert more often with v2, and the monitor's first look advances the test
 *          to its second step (decideAbTest brings the traffic on which it promotes v2).
 *
 * One function, so the test can switch to another source of the same story (the demo's quick
 * path) in one place.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalArtifactStore } from '@lathe/artifacts';
import { variantOfUnit } from '@lathe/experiments';
import type { DatasetAccess } from '@lathe/contract';
import { startWorkers } from '@lathe/queues';
import {
  createExperiment,
  ensureDataset,
  getAbTest,
  getRunWithStages,
  recordAbEvents,
  registerDatasetVersion,
  type NewAbEvent,
} from '@lathe/registry';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import { createDeployHandler } from '../../services/deploy/src/handler.ts';
import { monitorRollouts } from '../../services/deploy/src/rollout-monitor.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import type { TestApi } from '../api/api-harness.ts';
import { waitForRun } from '../pipeline/support.ts';

export interface DashboardStory {
  experimentId: string;
  modelName: string;
  /** Evaluations of v1 (production first) and v2 (the challenger). */
  v1Evaluation: string;
  v2Evaluation: string;
  failedRunId: string;
  abTestId: string;
  cleanup(): Promise<void>;
}

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

/** Steps of 20% then 50% of the traffic; looks as soon as 200 units an arm are in. */
const ROLLOUT_POLICY = {
  steps: [0.2, 0.5],
  minExposuresPerArm: 200,
  minStepDurationMs: 0,
  maxDurationMs: 3_600_000,
  alpha: 0.05,
};

/** The simulated visitors' conversion rate with each arm's model: the challenger's is higher. */
const VISITOR_CONVERSION = { control: 0.1, treatment: 0.2 };

export async function seedDashboardStory(api: TestApi): Promise<DashboardStory> {
  const registry = api.db.registry;
  const storeDir = await mkdtemp(join(tmpdir(), 'lathe-dashboard-'));
  const store = new LocalArtifactStore(storeDir);
  const dataset = await ensureDataset(registry, { name: 'churn', useCase: 'tabular' });
  const { version } = await registerDatasetVersion(registry, {
    datasetId: dataset.id,
    sha256: 'c'.repeat(64),
    uri: 'memory://churn',
    format: 'csv',
    rows: rows.length,
    sizeBytes: 1,
    schema: {},
    source: { kind: 'test' },
  });
  const workers = await startWorkers({
    pipeline: api.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      // The rows are in memory already: ingest names the version they are registered as.
      ingest: async () => ({ datasetVersionId: version.id, sha256: version.sha256, rows: version.rows }),
      train: createTrainHandler({ store, datasets }),
      evaluate: createEvaluateHandler({ store, datasets }),
      deploy: createDeployHandler(),
    },
  });
  try {
    const experiment = await createExperiment(registry, {
      name: 'churn-mlp',
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: { epochs: 2, learningRate: 0.01, hiddenUnits: [8] },
      datasetId: dataset.id,
      gate: [{ metric: 'auc', maxDecrease: 0.02 }],
      rolloutPolicy: ROLLOUT_POLICY as never,
      cacheEnabled: false,
    });

    /** A run started through the API, as `lathe run start --set …` starts one. */
    const run = async (hyperparameters: Record<string, unknown>, seed: number) => {
      const started = await api.request('POST', `/experiments/${experiment.id}/runs`, {
        key: api.keys.editor,
        body: { trigger: 'api', seed, params: { hyperparameters } },
      });
      if (started.status !== 201) throw new Error(`run start: ${started.status} ${started.text}`);
      const done = await waitForRun(api.pipeline, started.body.id, ['succeeded', 'failed'], 180_000);
      const stages = await getRunWithStages(registry, done.id);
      const output = (stage: string) =>
        (stages.stages.find((s) => s.stage === stage)?.output ?? {}) as Record<string, string | null>;
      return { run: done, evaluate: output('evaluate'), deploy: output('deploy') };
    };

    const first = await run({}, 11);
    if (first.run.status !== 'succeeded' || first.deploy.strategy !== 'direct')
      throw new Error(`run 1 should deploy directly: ${first.run.errorCode} ${first.run.errorMessage}`);
    const failed = await run({ epochs: 1, learningRate: 0.00001, hiddenUnits: [2] }, 3);
    if (failed.run.errorCode !== 'gate_failed')
      throw new Error(`run 2 should fail the gate, got ${failed.run.status} ${failed.run.errorCode}`);
    const second = await run({ epochs: 8, hiddenUnits: [16] }, 12);
    if (second.deploy.strategy !== 'ab_test')
      throw new Error(`run 3 should start an A/B test: ${second.run.errorCode} ${second.run.errorMessage}`);
    const abTestId = second.deploy.abTestId!;

    // A first batch of visitors; the monitor's look advances the test to its second step.
    await recordTraffic(api, abTestId, 3_000, VISITOR_CONVERSION, new Date(Date.now() + 1_000), 'a');
    await monitorRollouts(registry, { now: new Date(Date.now() + 2_000) });
    return {
      experimentId: experiment.id,
      modelName: experiment.name,
      v1Evaluation: first.evaluate.evaluationId!,
      v2Evaluation: second.evaluate.evaluationId!,
      failedRunId: failed.run.id,
      abTestId,
      async cleanup() {
        await workers.close();
        await rm(storeDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await workers.close();
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
}

/** A second batch of visitors on the second step; the monitor's look decides the test. */
export async function decideAbTest(api: TestApi, story: DashboardStory): Promise<void> {
  await recordTraffic(api, story.abTestId, 3_000, VISITOR_CONVERSION, new Date(Date.now() + 3_000), 'b');
  await monitorRollouts(api.db.registry, { now: new Date(Date.now() + 4_000) });
}

/**
 * `units` visitors assigned by the test's own hashing (those outside the step's coverage stay
 * with production, outside the test); every k-th exposed visitor of an arm converts, at its rate.
 */
async function recordTraffic(
  api: TestApi,
  abTestId: string,
  units: number,
  rates: Record<string, number>,
  at: Date,
  tag: string,
) {
  const test = await getAbTest(api.db.registry, abTestId);
  const events: NewAbEvent[] = [];
  const seen: Record<string, number> = {};
  for (let i = 0; i < units; i++) {
    const unitId = `${tag}-visitor-${i}`;
    const variant = variantOfUnit(test, unitId);
    if (!variant) continue;
    events.push({
      variantId: variant.id,
      type: 'exposure',
      unitId,
      idempotencyKey: `${unitId}:exposure`,
      occurredAt: at,
      step: test.currentStep,
    });
    const rate = rates[variant.name]!;
    seen[variant.name] = (seen[variant.name] ?? 0) + 1;
    if ((seen[variant.name]! * rate) % 1 < rate) {
      events.push({
        variantId: variant.id,
        type: 'outcome',
        metric: 'conversion',
        value: 1,
        unitId,
        idempotencyKey: `${unitId}:conversion`,
        occurredAt: at,
        step: test.currentStep,
      });
    }
  }
  await recordAbEvents(api.db.registry, abTestId, events);
}
