/**
 * The rollout monitor: for every running A/B test, aggregate its events, run the statistics
 * (@lathe/experiments) and apply the policy's decision — hold, advance to the next traffic
 * step, promote the treatment to `production`, roll it back, or stop an inconclusive test.
 * Every write is conditional on the step the decision was made at, so two monitors running
 * at once cannot apply a decision twice.
 */
import type { Logger } from '@lathe/core';
import {
  analyseAbTest,
  decideRollout,
  rolloutPolicySchema,
  type AbAnalysis,
  type RolloutDecision,
} from '@lathe/experiments';
import { abVariantTotals, listRunningAbTests, moveAlias, type AbTestWithVariants, type Registry } from '@lathe/registry';
import { PRODUCTION_ALIAS } from './handler.ts';

export interface MonitorResult {
  abTestId: string;
  decision: RolloutDecision;
  applied: boolean;
}

/** The analysis of the test's current traffic step (events since the step started). */
export async function analyseRunningTest(registry: Registry, test: AbTestWithVariants): Promise<AbAnalysis> {
  const stepStartedAt = (test.analysis as { stepStartedAt?: string } | null)?.stepStartedAt;
  const since = new Date(stepStartedAt ?? test.startedAt ?? 0);
  const totals = new Map((await abVariantTotals(registry, test.id, since)).map((t) => [t.variantId, t]));
  const policy = rolloutPolicySchema.parse(test.policy);
  return analyseAbTest(
    test.variants.map((variant) => ({
      name: variant.name,
      isControl: variant.isControl,
      weight: variant.weight,
      exposures: totals.get(variant.id)?.exposures ?? 0,
      conversions: totals.get(variant.id)?.conversions ?? 0,
      revenueSum: totals.get(variant.id)?.revenueSum ?? 0,
      revenueSumSquares: totals.get(variant.id)?.revenueSumSquares ?? 0,
    })),
    { alpha: policy.alpha, srmAlpha: policy.srmAlpha },
  );
}

export async function monitorRollouts(registry: Registry, options: { now?: Date; logger?: Logger } = {}): Promise<MonitorResult[]> {
  const now = options.now ?? new Date();
  const results: MonitorResult[] = [];
  for (const test of await listRunningAbTests(registry)) {
    const policy = rolloutPolicySchema.parse(test.policy);
    const analysis = await analyseRunningTest(registry, test);
    const stored = (test.analysis ?? {}) as { stepStartedAt?: string };
    const decision = decideRollout(
      policy,
      {
        step: test.currentStep,
        stepStartedAt: new Date(stored.stepStartedAt ?? test.startedAt ?? now),
        testStartedAt: test.startedAt ?? now,
        now,
      },
      analysis,
    );
    const applied = await applyDecision(registry, test, decision, analysis, now, stored.stepStartedAt);
    options.logger?.info({ abTestId: test.id, action: decision.action, applied, reasons: decision.reasons }, 'rollout decision');
    results.push({ abTestId: test.id, decision, applied });
  }
  return results;
}

async function applyDecision(
  registry: Registry,
  test: AbTestWithVariants,
  decision: RolloutDecision,
  analysis: AbAnalysis,
  now: Date,
  stepStartedAt: string | undefined,
): Promise<boolean> {
  const treatment = test.variants.find((v) => !v.isControl)!;
  const control = test.variants.find((v) => v.isControl)!;
  const snapshot = JSON.parse(JSON.stringify({ ...analysis, stepStartedAt: stepStartedAt ?? now.toISOString(), decidedAt: now.toISOString() }));
  return registry.$transaction(async (tx) => {
    const ended = decision.action === 'promote' || decision.action === 'rollback' || decision.action === 'stop';
    const status = decision.action === 'promote' ? 'promoted' : decision.action === 'rollback' ? 'rolled_back' : decision.action === 'stop' ? 'stopped' : 'running';
    const { count } = await tx.abTest.updateMany({
      where: { id: test.id, status: 'running', currentStep: test.currentStep },
      data: {
        status,
        currentStep: decision.step,
        decisionReasons: decision.reasons,
        analysis: decision.action === 'advance' ? { ...snapshot, stepStartedAt: now.toISOString() } : snapshot,
        ...(ended ? { decision: decision.action, endedAt: now } : {}),
      },
    });
    if (count === 0) return false;
    if (decision.action === 'hold') return true;

    await tx.abVariant.update({ where: { id: treatment.id }, data: { weight: decision.treatmentTraffic } });
    await tx.abVariant.update({ where: { id: control.id }, data: { weight: 1 - decision.treatmentTraffic } });
    const treatmentDeployment = { endpoint: test.endpoint, modelVersionId: treatment.modelVersionId, status: { in: ['rolling_out' as const, 'active' as const] } };
    const controlDeployment = { endpoint: test.endpoint, modelVersionId: control.modelVersionId, status: { in: ['active' as const, 'rolling_out' as const] } };
    if (decision.action === 'advance') {
      await tx.deployment.updateMany({ where: treatmentDeployment, data: { traffic: decision.treatmentTraffic } });
      await tx.deployment.updateMany({ where: controlDeployment, data: { traffic: 1 - decision.treatmentTraffic } });
    } else if (decision.action === 'promote') {
      await tx.deployment.updateMany({ where: treatmentDeployment, data: { status: 'active', traffic: 1 } });
      await tx.deployment.updateMany({ where: controlDeployment, data: { status: 'retired', traffic: 0, retiredAt: now } });
      const model = await tx.modelVersion.findUniqueOrThrow({ where: { id: treatment.modelVersionId } });
      await moveAlias(tx, {
        modelName: model.modelName,
        alias: PRODUCTION_ALIAS,
        modelVersionId: model.id,
        reason: `A/B test ${test.name} promoted: ${decision.reasons[0] ?? ''}`,
        actor: 'rollout-monitor',
      });
    } else {
      await tx.deployment.updateMany({
        where: treatmentDeployment,
        data: { status: decision.action === 'rollback' ? 'rolled_back' : 'retired', traffic: 0, retiredAt: now },
      });
      await tx.deployment.updateMany({ where: controlDeployment, data: { traffic: 1 } });
    }
    return true;
  });
}
