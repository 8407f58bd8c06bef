/**
 * A/B tests as the deploy stage, the rollout monitor and serving use them: start a rollout
 * (test, variants and deployments in one transaction, idempotent by name), what serves an
 * endpoint, record exposure/outcome events idempotently, and aggregate the sufficient
 * statistics per variant.
 */
import { ConflictError, NotFoundError } from '@lathe/core';
import type { AbTest, AbVariant, Deployment } from '../generated/prisma/client.ts';
import { type Db, type Json, inTransaction } from './db.ts';

export interface StartRollout {
  name: string;
  endpoint: string;
  experimentId: string;
  runId: string;
  salt: string;
  primaryMetric: string;
  policy: Json;
  controlModelVersionId: string;
  treatmentModelVersionId: string;
  /** The treatment's share of traffic at the first step. */
  treatmentTraffic: number;
  now: Date;
}

export type AbTestWithVariants = AbTest & { variants: AbVariant[] };

export async function startRollout(db: Db, input: StartRollout): Promise<{ abTest: AbTestWithVariants; deployment: Deployment; created: boolean }> {
  return inTransaction(db, async (tx) => {
    const existing = await tx.abTest.findUnique({ where: { name: input.name }, include: { variants: true } });
    if (existing) {
      const deployment = await tx.deployment.findFirst({
        where: { runId: input.runId, modelVersionId: input.treatmentModelVersionId },
        orderBy: { createdAt: 'desc' },
      });
      if (!deployment) throw new ConflictError('ab_test_exists', `A/B test ${input.name} exists without its deployment`);
      return { abTest: existing, deployment, created: false };
    }
    const running = await tx.abTest.findFirst({ where: { endpoint: input.endpoint, status: 'running' }, select: { name: true } });
    if (running) {
      throw new ConflictError(
        'ab_test_running',
        `endpoint ${input.endpoint} already runs A/B test ${running.name}; stop it before starting another`,
      );
    }
    const abTest = await tx.abTest.create({
      data: {
        name: input.name,
        endpoint: input.endpoint,
        experimentId: input.experimentId,
        status: 'running',
        salt: input.salt,
        primaryMetric: input.primaryMetric,
        policy: input.policy,
        currentStep: 0,
        startedAt: input.now,
        analysis: { stepStartedAt: input.now.toISOString() },
        variants: {
          create: [
            { name: 'control', isControl: true, modelVersionId: input.controlModelVersionId, weight: 1 - input.treatmentTraffic },
            { name: 'treatment', isControl: false, modelVersionId: input.treatmentModelVersionId, weight: input.treatmentTraffic },
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

export interface NewAbEvent {
  variantId: string;
  type: 'exposure' | 'outcome';
  unitId: string;
  metric?: string;
  value?: number;
  idempotencyKey: string;
  occurredAt: Date;
}

/**
 * The stored idempotency key of an event: the caller's key, within the test (keys are unique
 * across tests). An exposure without a key is kept once per unit and traffic step, which is
 * all the analysis counts (units per step). Every intake (the API, the serving gateway) uses
 * this, so the same exposure reported by both is stored once.
 */
export function abEventKey(abTestId: string, event: { type: 'exposure' | 'outcome'; unitId: string; idempotencyKey?: string | undefined }, step: number): string {
  return `${abTestId}:${event.idempotencyKey ?? `exposure:${step}:${event.unitId}`}`;
}

/** Records a batch of events; a retried batch (same idempotency keys) adds nothing. */
export async function recordAbEvents(db: Db, abTestId: string, events: NewAbEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const { count } = await db.abEvent.createMany({
    data: events.map((e) => ({ abTestId, metric: '', value: 0, ...e })),
    skipDuplicates: true,
  });
  return count;
}

export interface VariantTotalsRow {
  variantId: string;
  exposures: number;
  conversions: number;
  revenueSum: number;
  revenueSumSquares: number;
}

/**
 * Sufficient statistics per variant, per exposed unit: exposures = distinct exposed units,
 * conversions = exposed units with a `conversion` outcome, revenue = per-unit sums of
 * `revenue` outcomes (units without revenue count 0, which is what revenue per visitor means).
 *
 * `since` restricts to events of the current traffic phase: when the split changes, mixing
 * phases would bias the comparison (Simpson's paradox) and break the sample-ratio check, so,
 * as GrowthBook does with phases, each step is analysed on its own events.
 */
export async function abVariantTotals(
  db: Db,
  abTestId: string,
  since: Date = new Date(0),
  conversionMetric = 'conversion',
): Promise<VariantTotalsRow[]> {
  const rows = await db.$queryRaw<Array<{ variantId: string; exposures: bigint; conversions: bigint; revenue_sum: number; revenue_sum_squares: number }>>`
    WITH exposed AS (
      SELECT DISTINCT "variantId", "unitId" FROM "AbEvent" WHERE "abTestId" = ${abTestId} AND "type" = 'exposure' AND "occurredAt" >= ${since}
    ), converted AS (
      SELECT DISTINCT "variantId", "unitId" FROM "AbEvent"
       WHERE "abTestId" = ${abTestId} AND "type" = 'outcome' AND "metric" = ${conversionMetric} AND "occurredAt" >= ${since}
    ), revenue AS (
      SELECT "variantId", "unitId", SUM("value") AS amount FROM "AbEvent"
       WHERE "abTestId" = ${abTestId} AND "type" = 'outcome' AND "metric" = 'revenue' AND "occurredAt" >= ${since}
       GROUP BY "variantId", "unitId"
    )
    SELECT e."variantId", COUNT(*) AS exposures, COUNT(c."unitId") AS conversions,
           COALESCE(SUM(r.amount), 0)::float8 AS revenue_sum, COALESCE(SUM(r.amount * r.amount), 0)::float8 AS revenue_sum_squares
      FROM exposed e
      LEFT JOIN converted c ON c."variantId" = e."variantId" AND c."unitId" = e."unitId"
      LEFT JOIN revenue r ON r."variantId" = e."variantId" AND r."unitId" = e."unitId"
     GROUP BY e."variantId"`;
  return rows.map((r) => ({
    variantId: r.variantId,
    exposures: Number(r.exposures),
    conversions: Number(r.conversions),
    revenueSum: r.revenue_sum,
    revenueSumSquares: r.revenue_sum_squares,
  }));
}

export async function getAbTest(db: Db, id: string): Promise<AbTestWithVariants> {
  const test = await db.abTest.findUnique({ where: { id }, include: { variants: true } });
  if (!test) throw new NotFoundError('A/B test', id);
  return test;
}

/**
 * What serves an endpoint now: its running A/B test (at most one), and its active deployment
 * with the most traffic (the whole endpoint's when no test runs). Either may be null.
 */
export async function endpointServing(db: Db, endpoint: string): Promise<{ abTest: AbTestWithVariants | null; deployment: Deployment | null }> {
  const [abTest, deployment] = await Promise.all([
    db.abTest.findFirst({ where: { endpoint, status: 'running' }, include: { variants: true } }),
    db.deployment.findFirst({ where: { endpoint, status: 'active' }, orderBy: [{ traffic: 'desc' }, { createdAt: 'desc' }] }),
  ]);
  return { abTest, deployment };
}

export async function listRunningAbTests(db: Db): Promise<AbTestWithVariants[]> {
  return db.abTest.findMany({ where: { status: 'running' }, include: { variants: true } });
}
