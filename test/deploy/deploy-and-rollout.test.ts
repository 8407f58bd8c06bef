/**
 * The deploy stage and the rollout monitor on the real pipeline (Postgres + Redis): the first
 * model to pass the gate becomes production; a later one goes through an A/B test whose
 * traffic climbs step by step and which is promoted or rolled back on the statistics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { primarySummary, variantOfUnit } from '@lathe/experiments';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import {
  getAbTest,
  getAlias,
  getRunWithStages,
  listAbDecisionSummaries,
  recordAbEvents,
  type NewAbEvent,
} from '@lathe/registry';
import { createDeployHandler } from '../../services/deploy/src/handler.ts';
import { monitorRollouts } from '../../services/deploy/src/rollout-monitor.ts';
import { ingestExisting, recordedVerdict, untrainedModel } from '../harness/index.ts';
import { createPipelineFixture, waitForRun, type PipelineFixture } from '../pipeline/support.ts';

let fx: PipelineFixture;
let workers: WorkerGroup;

// Train registers a real model version row; evaluate records the verdict the experiment asks for.
const train = untrainedModel;
const evaluate = recordedVerdict((ctx) => (ctx.hyperparameters.verdict === 'failed' ? 'failed' : 'passed'));
const ingest = ingestExisting(() => fx.datasetVersionId);

const policy = {
  steps: [0.2, 0.5],
  minExposuresPerArm: 200,
  minStepDurationMs: 0,
  maxDurationMs: 3_600_000,
  alpha: 0.05,
};

beforeAll(async () => {
  fx = await createPipelineFixture('deploy');
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: { ingest, train, evaluate, deploy: createDeployHandler() },
  });
});
afterAll(async () => {
  await workers.close();
  await fx.close();
});

/** Exposes `units` users split by the test's hashing, converting at the given rates. */
async function simulateTraffic(
  abTestId: string,
  units: number,
  rates: Record<string, number>,
  at: Date,
  tag: string,
) {
  const test = await getAbTest(fx.db.registry, abTestId);
  const events: NewAbEvent[] = [];
  const seen: Record<string, number> = {};
  const step = test.currentStep;
  for (let i = 0; i < units; i++) {
    const unitId = `${tag}-user-${i}`;
    const variant = variantOfUnit(test, unitId);
    if (!variant) continue; // outside the step's coverage: production serves it, outside the test
    const name = variant.name;
    events.push({
      variantId: variant.id,
      type: 'exposure',
      unitId,
      idempotencyKey: `${unitId}:exposure`,
      occurredAt: at,
      step,
    });
    // Deterministic conversions at the variant's rate: every k-th exposed unit of that variant converts.
    seen[name] = (seen[name] ?? 0) + 1;
    if ((seen[name]! * rates[name]!) % 1 < rates[name]!) {
      events.push({
        variantId: variant.id,
        type: 'outcome',
        metric: 'conversion',
        value: 1,
        unitId,
        idempotencyKey: `${unitId}:conversion`,
        occurredAt: at,
        step,
      });
    }
  }
  await recordAbEvents(fx.db.registry, abTestId, events);
  // A retried batch adds nothing.
  expect(await recordAbEvents(fx.db.registry, abTestId, events.slice(0, 10))).toBe(0);
}

async function deployRun(experimentId: string) {
  const run = await fx.pipeline.startRun({ experimentId, trigger: 'api' });
  const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed']);
  const stages = await getRunWithStages(fx.db.registry, run.id);
  return {
    run: done,
    deploy: stages.stages.find((s) => s.stage === 'deploy')!.output as Record<string, string | null>,
  };
}

describe('deploy stage and rollout monitor', () => {
  it('makes the first passing model production, then A/B tests and promotes a better one step by step', async () => {
    const experiment = await fx.experiment({}, { cacheEnabled: false });
    await fx.db.registry.experiment.update({ where: { id: experiment.id }, data: { rolloutPolicy: policy } });

    const first = await deployRun(experiment.id);
    expect(first.run.status).toBe('succeeded');
    expect(first.deploy.strategy).toBe('direct');
    expect((await getAlias(fx.db.registry, experiment.name, 'production'))?.modelVersionId).toBe(
      first.deploy.modelVersionId,
    );

    const second = await deployRun(experiment.id);
    expect(second.deploy.strategy).toBe('ab_test');
    const abTestId = second.deploy.abTestId!;
    let test = await getAbTest(fx.db.registry, abTestId);
    expect(test.status).toBe('running');
    // The split among the test's units is fixed (50/50); the first step covers 40% of all units.
    expect(test.variants.find((v) => !v.isControl)).toMatchObject({
      weight: 0.5,
      modelVersionId: second.deploy.modelVersionId,
    });
    expect(test.coverage).toBeCloseTo(0.4, 12);
    expect((await getAlias(fx.db.registry, experiment.name, 'challenger'))?.modelVersionId).toBe(
      second.deploy.modelVersionId,
    );

    // Too little traffic: hold.
    const t1 = new Date(Date.now() + 1_000);
    let [result] = await monitorRollouts(fx.db.registry, { now: t1 });
    expect(result!.decision.action).toBe('hold');

    // Step 0 (20 %): treatment converts at 20 % vs 10 %: not worse, advance to 50 %.
    await simulateTraffic(
      abTestId,
      3_000,
      { control: 0.1, treatment: 0.2 },
      new Date(t1.getTime() + 1_000),
      'a',
    );
    [result] = await monitorRollouts(fx.db.registry, { now: new Date(t1.getTime() + 2_000) });
    expect(result!.decision).toMatchObject({ action: 'advance', step: 1, treatmentTraffic: 0.5 });
    test = await getAbTest(fx.db.registry, abTestId);
    expect(test.currentStep).toBe(1);
    expect(test.coverage).toBe(1);
    expect(test.variants.find((v) => !v.isControl)!.weight).toBe(0.5);
    const treatmentDeployment = await fx.db.registry.deployment.findFirstOrThrow({
      where: { id: second.deploy.deploymentId! },
    });
    expect(treatmentDeployment.traffic).toBe(0.5);

    // Last step: a significant win promotes the treatment to production.
    await simulateTraffic(
      abTestId,
      3_000,
      { control: 0.1, treatment: 0.2 },
      new Date(t1.getTime() + 3_000),
      'b',
    );
    [result] = await monitorRollouts(fx.db.registry, { now: new Date(t1.getTime() + 4_000) });
    expect(result!.decision.action).toBe('promote');
    expect((await getAbTest(fx.db.registry, abTestId)).status).toBe('promoted');
    expect((await getAlias(fx.db.registry, experiment.name, 'production'))?.modelVersionId).toBe(
      second.deploy.modelVersionId,
    );
    const deployments = await fx.db.registry.deployment.findMany({
      where: { endpoint: experiment.name },
      orderBy: { createdAt: 'asc' },
    });
    expect(deployments.map((d) => [d.status, d.traffic])).toEqual([
      ['retired', 0],
      ['active', 1],
    ]);
    expect(await getAlias(fx.db.registry, experiment.name, 'challenger')).toBeNull();
    // Every look is stored with the numbers it was made on.
    const looks = await fx.db.registry.abDecision.findMany({ where: { abTestId }, orderBy: { id: 'asc' } });
    expect(looks.map((l) => [l.action, l.applied])).toEqual([
      ['hold', true],
      ['advance', true],
      ['promote', true],
    ]);
    expect(
      (looks[2]!.analysis as { treatments: Array<{ primary: { units: { treatment: number } } }> })
        .treatments[0]!.primary.units.treatment,
    ).toBeGreaterThan(1000);
    // The report's history reads each look's primary metric alone, newest first.
    const history = await listAbDecisionSummaries(fx.db.registry, abTestId, { take: 10 });
    expect(history.map((h) => h.action)).toEqual(['promote', 'advance', 'hold']);
    expect(primarySummary(history[0]!.primary as never)).toMatchObject({
      units:
        (
          looks[2]!.analysis as {
            treatments: Array<{ primary: { units: { control: number; treatment: number } } }>;
          }
        ).treatments[0]!.primary.units.treatment +
        (looks[2]!.analysis as { treatments: Array<{ primary: { units: { control: number } } }> })
          .treatments[0]!.primary.units.control,
    });
    // A second monitor pass finds nothing running.
    expect(await monitorRollouts(fx.db.registry, { now: new Date(t1.getTime() + 5_000) })).toEqual([]);
  });

  it('rolls back a worse model automatically and leaves production where it was', async () => {
    const experiment = await fx.experiment({}, { cacheEnabled: false });
    await fx.db.registry.experiment.update({ where: { id: experiment.id }, data: { rolloutPolicy: policy } });
    const first = await deployRun(experiment.id);
    const second = await deployRun(experiment.id);
    const abTestId = second.deploy.abTestId!;
    await simulateTraffic(
      abTestId,
      4_000,
      { control: 0.2, treatment: 0.05 },
      new Date(Date.now() + 1_000),
      'c',
    );
    const [result] = await monitorRollouts(fx.db.registry, { now: new Date(Date.now() + 2_000) });
    expect(result!.decision.action).toBe('rollback');
    expect(result!.decision.reasons[0]).toMatch(/worse with confidence/);
    expect((await getAbTest(fx.db.registry, abTestId)).status).toBe('rolled_back');
    expect((await getAlias(fx.db.registry, experiment.name, 'production'))?.modelVersionId).toBe(
      first.deploy.modelVersionId,
    );
    const treatment = await fx.db.registry.deployment.findFirstOrThrow({
      where: { id: second.deploy.deploymentId! },
    });
    expect(treatment).toMatchObject({ status: 'rolled_back', traffic: 0 });
    expect(await getAlias(fx.db.registry, experiment.name, 'challenger')).toBeNull();
  });

  it('refuses to deploy a model that did not pass the gate', async () => {
    const experiment = await fx.experiment({ verdict: 'failed' }, { cacheEnabled: false });
    const { run } = await deployRun(experiment.id);
    expect(run).toMatchObject({ status: 'failed', errorStage: 'deploy', errorCode: 'gate_not_passed' });
    expect(await getAlias(fx.db.registry, experiment.name, 'production')).toBeNull();
  });
});
