/**
 * The A/B lifecycle, the only code that writes A/B tests: create a draft, start a rollout (test,
 * variants and deployment in one transaction, idempotent by name), apply a decision (advance a
 * step, promote, roll back, stop; each conditional on the step it was made at, so two monitors
 * cannot apply one twice) with the record of every look, and the reads serving needs.
 *
 * Variants keep one weight for the life of the test (the split among its units); a step moves
 * the test's coverage (the share of all units in it). Deployments record each model's share of
 * the endpoint's traffic: the treatment's is the step, the control serves the rest.
 */
import { ConflictError, NotFoundError } from '@lathe/core';
import type { AbDecision, AbTest, AbTestStatus, AbVariant, Deployment } from '../generated/prisma/client.ts';
import type { TrackedMetric } from './ab-events.ts';
import { type Db, type Json, inTransaction } from './db.ts';
import { moveAlias } from './models.ts';

export const PRODUCTION_ALIAS = 'production';
export const CHALLENGER_ALIAS = 'challenger';

export type AbTestWithVariants = AbTest & { variants: AbVariant[] };

export interface AbTestDesign {
  /** The split among the test's units: the treatment's share. */
  treatmentSplit: number;
  /** Coverage at the first step. */
  coverage: number;
  metrics: TrackedMetric[];
  covariateLookbackMs: number;
}

export interface StartRollout extends AbTestDesign {
  name: string;
  endpoint: string;
  experimentId: string;
  runId: string;
  salt: string;
  primaryMetric: string;
  policy: Json;
  controlModelVersionId: string;
  treatmentModelVersionId: string;
  /** The treatment's share of all traffic at the first step. */
  treatmentTraffic: number;
  now: Date;
}

export async function startRollout(
  db: Db,
  input: StartRollout,
): Promise<{ abTest: AbTestWithVariants; deployment: Deployment; created: boolean }> {
  return inTransaction(db, async (tx) => {
    const existing = await tx.abTest.findUnique({ where: { name: input.name }, include: { variants: true } });
    if (existing) {
      const deployment = await tx.deployment.findFirst({
        where: { runId: input.runId, modelVersionId: input.treatmentModelVersionId },
        orderBy: { createdAt: 'desc' },
      });
      if (!deployment)
        throw new ConflictError('ab_test_exists', `A/B test ${input.name} exists without its deployment`);
      return { abTest: existing, deployment, created: false };
    }
    await assertEndpointFree(tx, input.endpoint);
    const abTest = await tx.abTest.create({
      data: {
        name: input.name,
        endpoint: input.endpoint,
        experimentId: input.experimentId,
        status: 'running',
        salt: input.salt,
        primaryMetric: input.primaryMetric,
        policy: input.policy,
        // Why the cast: TrackedMetric[] is plain JSON, but an interface has no index signature for Prisma's InputJsonValue.
        metrics: input.metrics as unknown as Json,
        covariateLookbackMs: input.covariateLookbackMs,
        coverage: input.coverage,
        currentStep: 0,
        startedAt: input.now,
        stepStartedAt: input.now,
        variants: {
          create: [
            {
              name: 'control',
              isControl: true,
              modelVersionId: input.controlModelVersionId,
              weight: 1 - input.treatmentSplit,
            },
            {
              name: 'treatment',
              isControl: false,
              modelVersionId: input.treatmentModelVersionId,
              weight: input.treatmentSplit,
            },
          ],
        },
      },
      include: { variants: true },
    });
    const deployment = await tx.deployment.create({
      data: {
        endpoint: input.endpoint,
        modelVersionId: input.treatmentModelVersionId,
        runId: input.runId,
        strategy: 'ab_test',
        status: 'rolling_out',
        traffic: input.treatmentTraffic,
      },
    });
    await tx.deployment.updateMany({
      where: { endpoint: input.endpoint, modelVersionId: input.controlModelVersionId, status: 'active' },
      data: { traffic: 1 - input.treatmentTraffic },
    });
    return { abTest, deployment, created: true };
  });
}

async function assertEndpointFree(tx: Db, endpoint: string, except?: string): Promise<void> {
  const running = await tx.abTest.findFirst({
    where: { endpoint, status: 'running', ...(except ? { id: { not: except } } : {}) },
    select: { name: true },
  });
  if (running)
    throw new ConflictError(
      'endpoint_busy',
      `endpoint ${endpoint} already runs A/B test ${running.name}; stop it before starting another`,
    );
}

export interface CreateAbTest extends Omit<AbTestDesign, 'treatmentSplit'> {
  name: string;
  endpoint: string;
  experimentId: string | null;
  primaryMetric: string;
  policy: Json;
  salt: string;
  variants: Array<{ name: string; isControl: boolean; modelVersionId: string; weight: number }>;
}

/** A draft test (the admin API's): its variants' weights are the split among its units. */
export async function createAbTest(db: Db, input: CreateAbTest): Promise<AbTestWithVariants> {
  const { variants, metrics, ...rest } = input;
  return db.abTest.create({
    // Why the cast: TrackedMetric[] is plain JSON, but an interface has no index signature for Prisma's InputJsonValue.
    data: { ...rest, metrics: metrics as unknown as Json, variants: { create: variants } },
    include: { variants: { orderBy: { name: 'asc' } } },
  });
}

/** Starts a draft (one running test per endpoint). */
export async function startAbTest(
  db: Db,
  id: string,
  now: Date,
): Promise<{ before: AbTestWithVariants; after: AbTestWithVariants }> {
  return inTransaction(db, async (tx) => {
    const before = await getAbTest(tx, id);
    await assertEndpointFree(tx, before.endpoint, id);
    return {
      before,
      after: await transition(tx, before, ['draft'], {
        status: 'running',
        startedAt: now,
        stepStartedAt: now,
      }),
    };
  });
}

export type AbOutcome = 'promote' | 'rollback' | 'stop';

export interface AbDecisionToApply {
  action: 'hold' | 'advance' | AbOutcome;
  /** Step after the decision, and the treatment's share of traffic and the coverage there. */
  step: number;
  treatmentTraffic: number;
  coverage: number;
  reasons: string[];
}

/**
 * Applies a decision made at `madeAtStep` and records the look (AbDecision) with the analysis it
 * was made on. Nothing changes when the test has moved on meanwhile (another monitor, a manual
 * stop): the look is still recorded, as not applied.
 */
export async function applyAbDecision(
  db: Db,
  input: {
    abTestId: string;
    madeAtStep: number;
    decision: AbDecisionToApply;
    analysis: Json;
    now: Date;
    actor: string;
  },
): Promise<{ applied: boolean }> {
  return inTransaction(db, async (tx) => {
    const test = await getAbTest(tx, input.abTestId);
    const { decision, now } = input;
    let applied = false;
    if (test.status === 'running' && test.currentStep === input.madeAtStep) {
      const { count } = await tx.abTest.updateMany({
        where: { id: test.id, status: 'running', currentStep: input.madeAtStep },
        data: {
          decisionReasons: decision.reasons,
          analysis: input.analysis,
          ...(decision.action === 'advance'
            ? { currentStep: decision.step, coverage: decision.coverage, stepStartedAt: now }
            : {}),
        },
      });
      applied = count === 1;
      if (applied && decision.action === 'advance') await setTraffic(tx, test, decision.treatmentTraffic);
      if (applied && decision.action !== 'hold' && decision.action !== 'advance')
        await endTest(tx, test, decision.action, decision.reasons, now, input.actor);
    }
    await tx.abDecision.create({
      data: {
        abTestId: test.id,
        decidedAt: now,
        step: input.madeAtStep,
        action: decision.action,
        applied,
        reasons: decision.reasons,
        analysis: input.analysis,
      },
    });
    return { applied };
  });
}

/** Ends a running (or draft) test by hand: the same writes as the monitor's decision. */
export async function stopAbTest(
  db: Db,
  input: { abTestId: string; outcome: AbOutcome; reason: string; now: Date; actor: string },
): Promise<{ before: AbTestWithVariants; after: AbTestWithVariants }> {
  return inTransaction(db, async (tx) => {
    const before = await getAbTest(tx, input.abTestId);
    if (before.status !== 'running' && before.status !== 'draft') {
      throw new ConflictError(
        'illegal_ab_transition',
        `A/B test ${before.name} is ${before.status}; this needs it to be running or draft`,
        { status: before.status },
      );
    }
    await endTest(
      tx,
      before,
      input.outcome,
      input.reason ? [input.reason] : [],
      input.now,
      input.actor,
      before.status === 'running',
    );
    return { before, after: await getAbTest(tx, input.abTestId) };
  });
}

const ENDED_STATUS: Record<AbOutcome, AbTestStatus> = {
  promote: 'promoted',
  rollback: 'rolled_back',
  stop: 'stopped',
};

async function endTest(
  tx: Db,
  test: AbTestWithVariants,
  outcome: AbOutcome,
  reasons: string[],
  now: Date,
  actor: string,
  touchDeployments = true,
): Promise<void> {
  const ended = await tx.abTest.updateMany({
    where: { id: test.id, status: { in: ['running', 'draft'] } },
    data: { status: ENDED_STATUS[outcome], decision: outcome, decisionReasons: reasons, endedAt: now },
  });
  if (ended.count !== 1 || !touchDeployments) return;
  const treatment = test.variants.find((v) => !v.isControl);
  const control = test.variants.find((v) => v.isControl);
  if (!treatment || !control) return;
  const treatmentDeployment = {
    endpoint: test.endpoint,
    modelVersionId: treatment.modelVersionId,
    status: { in: ['rolling_out' as const, 'active' as const] },
  };
  const controlDeployment = {
    endpoint: test.endpoint,
    modelVersionId: control.modelVersionId,
    status: { in: ['active' as const, 'rolling_out' as const] },
  };
  const model = await tx.modelVersion.findUniqueOrThrow({ where: { id: treatment.modelVersionId } });
  if (outcome === 'promote') {
    await tx.deployment.updateMany({ where: treatmentDeployment, data: { status: 'active', traffic: 1 } });
    await tx.deployment.updateMany({
      where: controlDeployment,
      data: { status: 'retired', traffic: 0, retiredAt: now },
    });
    await moveAlias(tx, {
      modelName: model.modelName,
      alias: PRODUCTION_ALIAS,
      modelVersionId: model.id,
      reason: `A/B test ${test.name} promoted: ${reasons[0] ?? ''}`,
      actor,
    });
  } else {
    await tx.deployment.updateMany({
      where: treatmentDeployment,
      data: { status: outcome === 'rollback' ? 'rolled_back' : 'retired', traffic: 0, retiredAt: now },
    });
    await tx.deployment.updateMany({ where: controlDeployment, data: { traffic: 1 } });
  }
  // The challenger was this test's treatment; whatever the verdict, it is no longer challenging.
  await tx.modelAlias.deleteMany({
    where: { modelName: model.modelName, alias: CHALLENGER_ALIAS, modelVersionId: model.id },
  });
}

async function setTraffic(tx: Db, test: AbTestWithVariants, treatmentTraffic: number): Promise<void> {
  const treatment = test.variants.find((v) => !v.isControl);
  const control = test.variants.find((v) => v.isControl);
  if (!treatment || !control) return;
  await tx.deployment.updateMany({
    where: { endpoint: test.endpoint, modelVersionId: treatment.modelVersionId, status: 'rolling_out' },
    data: { traffic: treatmentTraffic },
  });
  await tx.deployment.updateMany({
    where: { endpoint: test.endpoint, modelVersionId: control.modelVersionId, status: 'active' },
    data: { traffic: 1 - treatmentTraffic },
  });
}

async function transition(
  tx: Db,
  before: AbTestWithVariants,
  from: AbTestStatus[],
  data: { status: AbTestStatus; startedAt?: Date; stepStartedAt?: Date },
): Promise<AbTestWithVariants> {
  const { count } = await tx.abTest.updateMany({ where: { id: before.id, status: { in: from } }, data });
  if (count !== 1) {
    const now = await getAbTest(tx, before.id);
    throw new ConflictError(
      'illegal_ab_transition',
      `A/B test ${before.name} is ${now.status}; this needs it to be ${from.join(' or ')}`,
      { status: now.status },
    );
  }
  return getAbTest(tx, before.id);
}

export async function getAbTest(db: Db, id: string): Promise<AbTestWithVariants> {
  const test = await db.abTest.findUnique({
    where: { id },
    include: { variants: { orderBy: { name: 'asc' } } },
  });
  if (!test) throw new NotFoundError('A/B test', id);
  return test;
}

/** The monitor's looks at a test, newest first, each with the full analysis it was made on. */
export async function listAbDecisions(
  db: Db,
  abTestId: string,
  options: { take: number },
): Promise<AbDecision[]> {
  return db.abDecision.findMany({ where: { abTestId }, orderBy: { id: 'desc' }, take: options.take });
}

/**
 * The monitor's looks, newest first, with only the first treatment's primary metric of each
 * analysis (read in SQL: a report's history should not move every stored analysis).
 */
export async function listAbDecisionSummaries(
  db: Db,
  abTestId: string,
  options: { take: number },
): Promise<Array<Omit<AbDecision, 'analysis'> & { primary: unknown }>> {
  return db.$queryRawUnsafe(
    `SELECT "id", "abTestId", "decidedAt", "step", "action", "applied", "reasons", "analysis" #> '{treatments,0,primary}' AS "primary"
       FROM "AbDecision" WHERE "abTestId" = $1 ORDER BY "id" DESC LIMIT $2`,
    abTestId,
    options.take,
  );
}

/**
 * What serves an endpoint now: its running A/B test (at most one), and its active deployment
 * with the most traffic (the whole endpoint's when no test runs). Either may be null.
 */
export async function endpointServing(
  db: Db,
  endpoint: string,
): Promise<{ abTest: AbTestWithVariants | null; deployment: Deployment | null }> {
  const [abTest, deployment] = await Promise.all([
    db.abTest.findFirst({ where: { endpoint, status: 'running' }, include: { variants: true } }),
    db.deployment.findFirst({
      // A shadow deployment is active beside the endpoint's, never instead of it (deployments.ts).
      where: { endpoint, status: 'active', strategy: { not: 'shadow' } },
      orderBy: [{ traffic: 'desc' }, { createdAt: 'desc' }],
    }),
  ]);
  return { abTest, deployment };
}

export async function listRunningAbTests(db: Db): Promise<AbTestWithVariants[]> {
  return db.abTest.findMany({ where: { status: 'running' }, include: { variants: true } });
}
