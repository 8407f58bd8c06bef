/**
 * The deploy stage: puts a model version that passed the gate in front of traffic.
 *   - no production model yet      → it becomes `production` directly (a direct deployment);
 *   - it already is production     → nothing to do;
 *   - otherwise                    → an A/B test against production starts at the first step of
 *                                    the experiment's rollout policy; the rollout monitor takes
 *                                    it from there (advance, promote, roll back).
 * Idempotent: a redelivered job finds the alias already moved or the A/B test (named after the
 * run) already created, and returns the same output.
 */
import { randomBytes } from 'node:crypto';
import { LatheError } from '@lathe/core';
import { abTestDesign, plannedTest, rolloutPolicySchema } from '@lathe/experiments';
import type { StageHandler } from '@lathe/queues';
import {
  CHALLENGER_ALIAS,
  PRODUCTION_ALIAS,
  deployDirectly,
  getAlias,
  getModelVersion,
  moveAlias,
  startRollout,
} from '@lathe/registry';

export function createDeployHandler(options: { now?: () => Date } = {}): StageHandler<'deploy'> {
  const now = options.now ?? (() => new Date());
  return async (ctx) => {
    const evaluated = await ctx.stageOutput('evaluate');
    const trained = await ctx.stageOutput('train');
    const modelVersionId = evaluated?.modelVersionId ?? trained?.modelVersionId;
    if (!modelVersionId) {
      throw new LatheError(
        'missing_stage_output',
        `run ${ctx.runId}: deploy found no model version from train/evaluate`,
        { permanent: true },
      );
    }
    // A sweep's trials are compared with each other, not shipped: the best is promoted to the
    // experiment's hyperparameters and a normal run deploys it.
    // The sweep's id is in the run's params from the start (the column is set just after).
    const sweepId = ctx.run.sweepId ?? (ctx.run.params as { sweepId?: string } | null)?.sweepId;
    if (sweepId) {
      await ctx.reportProgress(1);
      return {
        strategy: 'none',
        modelVersionId,
        deploymentId: null,
        abTestId: null,
        reason: `a trial of sweep ${sweepId}: not deployed (promote the best trial, then run the experiment)`,
        plan: null,
      };
    }
    const verdict = evaluated?.verdict;
    if (verdict !== 'passed' && verdict !== 'overridden') {
      throw new LatheError(
        'gate_not_passed',
        `run ${ctx.runId}: model version ${modelVersionId} did not pass the gate (verdict ${verdict ?? 'none'})`,
        {
          permanent: true,
        },
      );
    }
    const candidate = await getModelVersion(ctx.registry, modelVersionId);
    const endpoint = ctx.experiment.name;
    const production = await getAlias(ctx.registry, candidate.modelName, PRODUCTION_ALIAS);

    if (!production) {
      await moveAlias(ctx.registry, {
        modelName: candidate.modelName,
        alias: PRODUCTION_ALIAS,
        modelVersionId: candidate.id,
        reason: `run ${ctx.runId}: first model to pass the gate`,
        actor: `run:${ctx.runId}`,
      });
      const deployment = await deployDirectly(ctx.registry, {
        endpoint,
        modelVersionId: candidate.id,
        runId: ctx.runId,
      });
      await ctx.reportProgress(1);
      return {
        strategy: 'direct',
        modelVersionId: candidate.id,
        deploymentId: deployment.id,
        abTestId: null,
        reason: 'first model to pass the gate',
        plan: null,
      };
    }
    if (production.modelVersionId === candidate.id) {
      await ctx.reportProgress(1);
      return {
        strategy: 'none',
        modelVersionId: candidate.id,
        deploymentId: null,
        abTestId: null,
        reason: 'already in production',
        plan: null,
      };
    }

    const policy = rolloutPolicySchema.parse(ctx.experiment.rolloutPolicy ?? {});
    const { abTest, deployment } = await startRollout(ctx.registry, {
      name: `${endpoint}:run-${ctx.runId}`,
      endpoint,
      experimentId: ctx.experiment.id,
      runId: ctx.runId,
      salt: randomBytes(8).toString('hex'),
      primaryMetric: policy.metric,
      policy,
      controlModelVersionId: production.modelVersionId,
      treatmentModelVersionId: candidate.id,
      ...abTestDesign(policy),
      now: now(),
    });
    const challenger = await getAlias(ctx.registry, candidate.modelName, CHALLENGER_ALIAS);
    if (challenger?.modelVersionId !== candidate.id) {
      await moveAlias(ctx.registry, {
        modelName: candidate.modelName,
        alias: CHALLENGER_ALIAS,
        modelVersionId: candidate.id,
        reason: `run ${ctx.runId}: A/B test ${abTest.name}`,
        actor: `run:${ctx.runId}`,
      });
    }
    await ctx.reportProgress(1);
    // The plan the policy declares, shown before any traffic: a test that cannot reach its MDE says so now.
    const plan = plannedTest(policy);
    return {
      strategy: 'ab_test',
      modelVersionId: candidate.id,
      deploymentId: deployment.id,
      abTestId: abTest.id,
      reason:
        plan && !plan.reachable
          ? `A/B test against production; warning: ${plan.message}`
          : 'A/B test against production',
      plan: plan
        ? {
            reachable: plan.reachable,
            message: plan.message,
            sequentialUnits: plan.sequential.units,
            sequentialDays: plan.sequential.days,
          }
        : null,
    };
  };
}

export const deployHandler: StageHandler<'deploy'> = createDeployHandler();
