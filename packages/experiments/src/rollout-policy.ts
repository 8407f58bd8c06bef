/**
 * Progressive rollout: the treatment's share of traffic climbs through the policy's steps
 * while it is not worse than the control; at the last step a significant win promotes it; a
 * significant loss (or a guardrail breach) at any step rolls it back. Pure: the deploy
 * worker's rollout monitor feeds it the current analysis and applies the decision.
 */
import { z } from 'zod';
import type { AbAnalysis } from './analysis.ts';

export const rolloutPolicySchema = z
  .object({
    /** Treatment's share of traffic at each step, increasing, each in (0, 1]. */
    steps: z.array(z.number().gt(0).lte(1)).min(1).default([0.1, 0.5]),
    /** Exposures each arm needs at a step before any decision. */
    minExposuresPerArm: z.number().int().min(1).default(500),
    /** Time to stay at a step before advancing (novelty effects, day-of-week). */
    minStepDurationMs: z.number().int().min(0).default(60 * 60 * 1000),
    /** After this long at the last step without significance, stop and keep the control. */
    maxDurationMs: z.number().int().min(0).default(14 * 24 * 60 * 60 * 1000),
    metric: z.enum(['conversion', 'revenue']).default('conversion'),
    alpha: z.number().gt(0).lt(0.5).default(0.05),
    /** Roll back when the observed relative change of the metric is below −maxRelativeDrop. */
    maxRelativeDrop: z.number().min(0).max(1).default(0.1),
    srmAlpha: z.number().gt(0).lt(0.5).default(0.001),
  })
  .refine((p) => p.steps.every((s, i) => i === 0 || s > p.steps[i - 1]!), {
    message: 'steps must increase',
    path: ['steps'],
  });

export type RolloutPolicy = z.infer<typeof rolloutPolicySchema>;

export type RolloutAction = 'hold' | 'advance' | 'promote' | 'rollback' | 'stop';

export interface RolloutDecision {
  action: RolloutAction;
  /** The step index after the decision. */
  step: number;
  /** The treatment's share of traffic after the decision. */
  treatmentTraffic: number;
  reasons: string[];
}

export interface RolloutState {
  step: number;
  stepStartedAt: Date;
  testStartedAt: Date;
  now: Date;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function decideRollout(policy: RolloutPolicy, state: RolloutState, analysis: AbAnalysis): RolloutDecision {
  const lastStep = policy.steps.length - 1;
  const traffic = (step: number) => policy.steps[Math.min(step, lastStep)]!;
  const hold = (reasons: string[]): RolloutDecision => ({ action: 'hold', step: state.step, treatmentTraffic: traffic(state.step), reasons });

  const comparison = analysis.comparisons[0];
  const control = analysis.variants.find((v) => v.isControl);
  const treatment = analysis.variants.find((v) => v.name === comparison?.variant);
  if (!comparison || !control || !treatment) return hold(['no treatment variant to compare']);
  if (analysis.sampleRatioMismatch.detected) {
    return hold([
      `sample ratio mismatch (p = ${analysis.sampleRatioMismatch.pValue.toExponential(2)} < ${policy.srmAlpha}): assignment or logging is broken; fix it before trusting any decision`,
    ]);
  }
  if (control.exposures < policy.minExposuresPerArm || treatment.exposures < policy.minExposuresPerArm) {
    return hold([
      `waiting for ${policy.minExposuresPerArm} exposures per arm (control ${control.exposures}, ${treatment.name} ${treatment.exposures})`,
    ]);
  }
  const result = policy.metric === 'conversion' ? comparison.conversion : comparison.revenue;
  if (!result) return hold([`no ${policy.metric} comparison yet`]);
  const describe = `${policy.metric}: control ${result.control.toFixed(4)}, ${treatment.name} ${result.treatment.toFixed(4)} (${result.relativeUplift === null ? 'n/a' : pct(result.relativeUplift)}, p = ${result.pValue.toFixed(4)})`;

  const worse = result.difference < 0 && result.pValue < policy.alpha;
  const guardrail = result.relativeUplift !== null && result.relativeUplift < -policy.maxRelativeDrop;
  if (worse || guardrail) {
    return {
      action: 'rollback',
      step: state.step,
      treatmentTraffic: 0,
      reasons: [
        worse
          ? `${treatment.name} is significantly worse: ${describe}`
          : `${treatment.name} breaches the guardrail: relative change ${pct(result.relativeUplift!)} < −${pct(policy.maxRelativeDrop)}; ${describe}`,
      ],
    };
  }
  const atStepFor = state.now.getTime() - state.stepStartedAt.getTime();
  if (state.step < lastStep) {
    if (atStepFor < policy.minStepDurationMs) {
      return hold([`at ${pct(traffic(state.step))} traffic for ${Math.round(atStepFor / 1000)} s of the required ${Math.round(policy.minStepDurationMs / 1000)} s; ${describe}`]);
    }
    return {
      action: 'advance',
      step: state.step + 1,
      treatmentTraffic: traffic(state.step + 1),
      reasons: [`not worse than control at ${pct(traffic(state.step))}; advancing to ${pct(traffic(state.step + 1))}; ${describe}`],
    };
  }
  if (result.difference > 0 && result.pValue < policy.alpha) {
    return { action: 'promote', step: state.step, treatmentTraffic: 1, reasons: [`${treatment.name} is significantly better: ${describe}`] };
  }
  if (state.now.getTime() - state.testStartedAt.getTime() >= policy.maxDurationMs) {
    return {
      action: 'stop',
      step: state.step,
      treatmentTraffic: 0,
      reasons: [`no significant difference after the maximum duration; keeping the control; ${describe}`],
    };
  }
  return hold([`not significant yet; ${describe}`]);
}
