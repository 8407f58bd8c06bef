/**
 * The rollout monitor: for every running A/B test, read its kept sufficient statistics, run the
 * analysis and the policy's decision (@lathe/experiments) — hold, advance to the next traffic
 * step, promote the treatment to `production`, roll it back, or stop — and let the registry
 * apply it (conditional on the step it was made at, so two monitors running at once cannot
 * apply a decision twice). Every look is recorded with the analysis it was made on.
 */
import type { Logger } from '@lathe/core';
import {
  analyseStoredTest,
  coverageAtStep,
  decideRollout,
  rolloutPolicySchema,
  type AbAnalysis,
  type RolloutDecision,
} from '@lathe/experiments';
import {
  abTestStatistics,
  applyAbDecision,
  listRunningAbTests,
  type Json,
  type Registry,
} from '@lathe/registry';

export interface MonitorResult {
  abTestId: string;
  /** The endpoint the test runs on (an applied decision changes its routing). */
  endpoint: string;
  decision: RolloutDecision;
  applied: boolean;
  analysis: AbAnalysis;
}

export async function monitorRollouts(
  registry: Registry,
  options: { now?: Date; logger?: Logger } = {},
): Promise<MonitorResult[]> {
  const now = options.now ?? new Date();
  const results: MonitorResult[] = [];
  for (const test of await listRunningAbTests(registry)) {
    const policy = rolloutPolicySchema.parse(test.policy);
    const analysis = analyseStoredTest(test, await abTestStatistics(registry, test.id), policy, now);
    const decision = decideRollout(
      policy,
      {
        step: test.currentStep,
        stepStartedAt: test.stepStartedAt ?? test.startedAt ?? now,
        testStartedAt: test.startedAt ?? now,
        now,
      },
      analysis,
    );
    const { applied } = await applyAbDecision(registry, {
      abTestId: test.id,
      madeAtStep: test.currentStep,
      decision: { ...decision, coverage: coverageAtStep(policy, decision.step) },
      analysis: JSON.parse(JSON.stringify(analysis)) as Json,
      now,
      actor: 'rollout-monitor',
    });
    options.logger?.info(
      { abTestId: test.id, action: decision.action, applied, reasons: decision.reasons },
      'rollout decision',
    );
    results.push({ abTestId: test.id, endpoint: test.endpoint, decision, applied, analysis });
  }
  return results;
}
