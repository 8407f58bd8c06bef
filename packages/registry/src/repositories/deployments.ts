/**
 * Deployments: which model version serves an endpoint outside an A/B test. A direct deployment
 * replaces the endpoint's active direct one; an A/B test's deployment is written with the test
 * (ab-tests.ts).
 */
import { ConflictError, NotFoundError } from '@lathe/core';
import type { Deployment } from '../generated/prisma/client.ts';
import { type Db, inTransaction } from './db.ts';

/** The run's direct deployment; a redelivered deploy job finds the one it wrote. */
export async function deployDirectly(
  db: Db,
  input: { endpoint: string; modelVersionId: string; runId: string },
): Promise<Deployment> {
  return (
    (await db.deployment.findFirst({
      where: { runId: input.runId, modelVersionId: input.modelVersionId },
    })) ??
    (await db.deployment.create({ data: { ...input, strategy: 'direct', status: 'active', traffic: 1 } }))
  );
}

/**
 * An operator's direct deployment: the endpoint's active direct deployment is retired and the
 * new one takes all its traffic. Deployments to one endpoint are serialised (an advisory lock
 * on the endpoint), so two at once cannot both stay active.
 */
export async function replaceDirectDeployment(
  db: Db,
  input: { endpoint: string; modelVersionId: string },
  now: Date = new Date(),
): Promise<Deployment> {
  return inTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'endpoint:' + input.endpoint}))`;
    await tx.deployment.updateMany({
      where: { endpoint: input.endpoint, strategy: 'direct', status: 'active' },
      data: { status: 'retired', traffic: 0, retiredAt: now },
    });
    return tx.deployment.create({
      data: {
        endpoint: input.endpoint,
        modelVersionId: input.modelVersionId,
        strategy: 'direct',
        status: 'active',
        traffic: 1,
      },
    });
  });
}

/**
 * Shadow and blue-green deployments. A shadow deployment is `active` with no traffic of its
 * own: the gateway mirrors the endpoint's requests to it and adds the comparison's sums here.
 * A blue-green candidate is staged `pending`; gateways load and warm it (`warmedAt`), and the
 * switch makes it the endpoint's active deployment in one transaction, the one it replaces
 * becoming the `pending` standby, so switching back is the same call on that one.
 */
export interface EndpointRollout {
  /** The active shadow deployment, if any. */
  shadow: Deployment | null;
  /** The standby (pending blue-green candidate, or the deployment a switch replaced), if any. */
  standby: Deployment | null;
}

/** What an endpoint's gateways should keep loaded beside what serves it. */
export async function endpointRollout(db: Db, endpoint: string): Promise<EndpointRollout> {
  const [shadow, standby] = await Promise.all([
    db.deployment.findFirst({
      where: { endpoint, status: 'active', strategy: 'shadow' },
      orderBy: { createdAt: 'desc' },
    }),
    db.deployment.findFirst({
      where: { endpoint, status: 'pending', strategy: { in: ['blue_green', 'direct'] } },
      orderBy: { updatedAt: 'desc' },
    }),
  ]);
  return { shadow, standby };
}

const lockEndpoint = (tx: Db, endpoint: string) =>
  tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'endpoint:' + endpoint}))`;

/** Mirrors the endpoint's traffic to `modelVersionId` (replacing an earlier shadow). */
export async function startShadowDeployment(
  db: Db,
  input: { endpoint: string; modelVersionId: string },
  now: Date = new Date(),
): Promise<Deployment> {
  return inTransaction(db, async (tx) => {
    await lockEndpoint(tx, input.endpoint);
    await tx.deployment.updateMany({
      where: { endpoint: input.endpoint, strategy: 'shadow', status: 'active' },
      data: { status: 'retired', retiredAt: now },
    });
    return tx.deployment.create({
      data: { ...input, strategy: 'shadow', status: 'active', traffic: 0 },
    });
  });
}

/** Stops mirroring the endpoint's traffic; its comparison stays on the retired deployment. */
export async function retireShadowDeployment(
  db: Db,
  endpoint: string,
  now: Date = new Date(),
): Promise<number> {
  const { count } = await db.deployment.updateMany({
    where: { endpoint, strategy: 'shadow', status: 'active' },
    data: { status: 'retired', retiredAt: now },
  });
  return count;
}

/**
 * Ends a deployment's rollout strategy on purpose: an active shadow stops receiving mirrored
 * traffic (its comparison stays on the row), a pending blue-green candidate or standby is no
 * longer kept warm nor can be switched to. It is retired with `stoppedAt` and `stopReason`.
 * What serves the endpoint cannot be stopped this way (the endpoint would answer nothing:
 * deploy or switch to another first), nor an A/B test's arm (stop the test). Stopping a
 * deployment already stopped returns it unchanged, so a retried call is harmless.
 */
export async function stopDeployment(
  db: Db,
  deploymentId: string,
  input: { reason: string },
  now: Date = new Date(),
): Promise<{ deployment: Deployment; before: Deployment; changed: boolean }> {
  const target = await db.deployment.findUnique({ where: { id: deploymentId } });
  if (!target) throw new NotFoundError('deployment', deploymentId);
  return inTransaction(db, async (tx) => {
    await lockEndpoint(tx, target.endpoint);
    const current = (await tx.deployment.findUnique({ where: { id: deploymentId } }))!;
    if (current.stoppedAt) return { deployment: current, before: current, changed: false };
    if (current.strategy === 'ab_test')
      throw new ConflictError(
        'ab_test_arm',
        `deployment ${deploymentId} is an arm of an A/B test on endpoint ${current.endpoint}: stop the test instead`,
      );
    const stoppable =
      (current.strategy === 'shadow' && current.status === 'active') ||
      (current.strategy !== 'shadow' && current.status === 'pending');
    if (!stoppable)
      throw new ConflictError(
        current.status === 'active' ? 'serving' : 'not_running',
        current.status === 'active'
          ? `deployment ${deploymentId} serves endpoint ${current.endpoint}: deploy or switch to another model version first`
          : `deployment ${deploymentId} is ${current.status}: only an active shadow or a pending blue-green candidate or standby can be stopped`,
      );
    const deployment = await tx.deployment.update({
      where: { id: deploymentId },
      data: { status: 'retired', traffic: 0, retiredAt: now, stoppedAt: now, stopReason: input.reason },
    });
    return { deployment, before: current, changed: true };
  });
}

/** The comparison sums a gateway gathered since its last write, added to the shadow deployment. */
export interface ShadowComparisonDelta {
  requests: number;
  errors: number;
  agreements: number;
  scoreDeltaSum: number;
  absScoreDeltaSum: number;
  shadowLatencyMsSum: number;
  primaryLatencyMsSum: number;
}

export async function recordShadowComparisons(
  db: Db,
  deploymentId: string,
  delta: ShadowComparisonDelta,
): Promise<void> {
  await db.deployment.updateMany({
    where: { id: deploymentId, strategy: 'shadow' },
    data: {
      shadowRequests: { increment: delta.requests },
      shadowErrors: { increment: delta.errors },
      shadowAgreements: { increment: delta.agreements },
      shadowScoreDeltaSum: { increment: delta.scoreDeltaSum },
      shadowAbsScoreDeltaSum: { increment: delta.absScoreDeltaSum },
      shadowLatencyMsSum: { increment: delta.shadowLatencyMsSum },
      primaryLatencyMsSum: { increment: delta.primaryLatencyMsSum },
    },
  });
}

/** Stages `modelVersionId` as the endpoint's blue-green candidate (replacing an earlier staged one). */
export async function stageBlueGreenDeployment(
  db: Db,
  input: { endpoint: string; modelVersionId: string },
  now: Date = new Date(),
): Promise<Deployment> {
  return inTransaction(db, async (tx) => {
    await lockEndpoint(tx, input.endpoint);
    await tx.deployment.updateMany({
      where: { endpoint: input.endpoint, status: 'pending', strategy: { in: ['blue_green', 'direct'] } },
      data: { status: 'retired', retiredAt: now },
    });
    return tx.deployment.create({
      data: { ...input, strategy: 'blue_green', status: 'pending', traffic: 0 },
    });
  });
}

/** A gateway has the deployment's model version loaded and warmed (the first report counts). */
export async function markDeploymentWarmed(
  db: Db,
  deploymentId: string,
  now: Date = new Date(),
): Promise<void> {
  await db.deployment.updateMany({ where: { id: deploymentId, warmedAt: null }, data: { warmedAt: now } });
}

/**
 * Makes the standby `deploymentId` the endpoint's active deployment, all traffic at once; the
 * deployment it replaces becomes the standby. Refused while an A/B test runs on the endpoint
 * (the test owns its traffic) and before a gateway has warmed the standby.
 */
export async function switchDeployment(
  db: Db,
  deploymentId: string,
): Promise<{ active: Deployment; standby: Deployment | null }> {
  const target = await db.deployment.findUnique({ where: { id: deploymentId } });
  if (!target) throw new NotFoundError('deployment', deploymentId);
  return inTransaction(db, async (tx) => {
    await lockEndpoint(tx, target.endpoint);
    const current = await tx.deployment.findUnique({ where: { id: deploymentId } });
    if (
      !current ||
      current.status !== 'pending' ||
      current.strategy === 'shadow' ||
      current.strategy === 'ab_test'
    )
      throw new ConflictError(
        'not_standby',
        `deployment ${deploymentId} is ${current?.status ?? 'gone'} (${current?.strategy ?? '-'}): only the endpoint's standby (a staged blue-green deployment or the one a switch replaced) can be switched to`,
      );
    if (!current.warmedAt)
      throw new ConflictError(
        'not_warmed',
        `deployment ${deploymentId} is not warmed yet: no gateway has loaded model version ${current.modelVersionId}; retry after the gateways' routing refresh`,
      );
    const test = await tx.abTest.findFirst({ where: { endpoint: current.endpoint, status: 'running' } });
    if (test)
      throw new ConflictError(
        'ab_test_running',
        `A/B test ${test.name} runs on endpoint ${current.endpoint}: stop it before switching deployments`,
      );
    const replaced = await tx.deployment.findFirst({
      where: { endpoint: current.endpoint, status: 'active', strategy: { in: ['direct', 'blue_green'] } },
      orderBy: [{ traffic: 'desc' }, { createdAt: 'desc' }],
    });
    await tx.deployment.updateMany({
      where: {
        endpoint: current.endpoint,
        status: 'active',
        strategy: { in: ['direct', 'blue_green'] },
        id: { not: replaced?.id ?? '' },
      },
      data: { status: 'retired', traffic: 0, retiredAt: new Date() },
    });
    // What served until now is loaded and warm in the gateways: switching back needs no warm-up.
    const standby = replaced
      ? await tx.deployment.update({
          where: { id: replaced.id },
          data: { status: 'pending', traffic: 0, warmedAt: replaced.warmedAt ?? new Date() },
        })
      : null;
    const active = await tx.deployment.update({
      where: { id: deploymentId },
      data: { status: 'active', traffic: 1 },
    });
    return { active, standby };
  });
}
