/**
 * The rollout decision: what the monitor does with a test after each look. Pure; the deploy
 * worker's rollout monitor applies it, and the seeded simulations in simulation/*.sim.test.ts
 * prove its error rates.
 *
 *   1. A sample ratio mismatch (sequential test, valid at every look) holds the test: its numbers
 *      cannot be trusted. It is stopped, without a verdict, at the maximum duration.
 *   2. No decision before each arm has `minExposuresPerArm` units (the tests are asymptotic).
 *   3. Roll back when a guardrail is breached with confidence, or when the primary metric is
 *      worse with confidence (under the policy's rule) — never on a point estimate.
 *   4. Below the last step: advance once the step has lasted `minStepDurationMs`.
 *   5. At the last step, after its minimum duration: promote when the primary metric is better
 *      with confidence (sequential: the confidence sequence excludes 0; fixed: the one planned
 *      look is significant; Bayesian: P(better) and expected loss within the policy).
 *   6. At the maximum duration: stop and keep the control.
 */
import type { AbAnalysis, MetricComparison } from './analysis.ts';
import type { RolloutPolicy } from './rollout-policy.ts';

export type RolloutAction = 'hold' | 'advance' | 'promote' | 'rollback' | 'stop';

export interface RolloutDecision {
  action: RolloutAction;
  /** The step index after the decision. */
  step: number;
  /** The treatment's share of all traffic after the decision. */
  treatmentTraffic: number;
  reasons: string[];
}

export interface RolloutState {
  step: number;
  stepStartedAt: Date;
  testStartedAt: Date;
  now: Date;
}

type Verdict = 'better' | 'worse' | 'undecided';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(2) : x.toPrecision(4));

export function decideRollout(
  policy: RolloutPolicy,
  state: RolloutState,
  analysis: AbAnalysis,
): RolloutDecision {
  const lastStep = policy.steps.length - 1;
  const traffic = (step: number) => policy.steps[Math.min(step, lastStep)]!;
  const hold = (reasons: string[]): RolloutDecision => ({
    action: 'hold',
    step: state.step,
    treatmentTraffic: traffic(state.step),
    reasons,
  });
  const stop = (reasons: string[]): RolloutDecision => ({
    action: 'stop',
    step: state.step,
    treatmentTraffic: 0,
    reasons,
  });
  const timedOut = state.now.getTime() - state.testStartedAt.getTime() >= policy.maxDurationMs;

  const treatment = analysis.treatments[0];
  if (!treatment) return hold(['no treatment variant to compare']);
  const srm = analysis.sampleRatioMismatch;
  if (srm.detected) {
    const why = `sample ratio mismatch (sequential p = ${srm.pValue.toExponential(2)} < ${policy.srmAlpha}): assignment or logging is broken; fix it before trusting any decision`;
    return timedOut ? stop([`${why}; stopped at the maximum duration without a verdict`]) : hold([why]);
  }
  const units = analysis.variants.map((v) => `${v.name} ${v.units}`).join(', ');
  const primary = treatment.primary;
  if (
    !primary ||
    primary.units.control < policy.minExposuresPerArm ||
    primary.units.treatment < policy.minExposuresPerArm
  ) {
    const why = `waiting for ${policy.minExposuresPerArm} units per arm (${units})`;
    return timedOut ? stop([`${why}; stopped at the maximum duration`]) : hold([why]);
  }

  const breached = treatment.guardrails.filter((g) => g.breached);
  const verdict = primaryVerdict(policy, primary, analysis.totalUnits);
  const describe = describePrimary(policy, primary, treatment.variant);
  if (breached.length > 0 || verdict.verdict === 'worse') {
    return {
      action: 'rollback',
      step: state.step,
      treatmentTraffic: 0,
      reasons: [
        ...(verdict.verdict === 'worse'
          ? [`${treatment.variant} is worse with confidence: ${describe}`]
          : []),
        ...breached.map(
          (g) =>
            `guardrail breached: ${g.name} (control ${num(g.control)}, ${treatment.variant} ${num(g.treatment)}, ${g.direction === 'higher_is_better' ? 'upper' : 'lower'} bound of the difference ${num(g.bound)} beyond the margin ${num(g.margin)})`,
        ),
      ],
    };
  }

  const atStepFor = state.now.getTime() - state.stepStartedAt.getTime();
  const waitAtStep = atStepFor < policy.minStepDurationMs;
  const stepWait = `at ${pct(traffic(state.step))} traffic for ${Math.round(atStepFor / 1000)} s of the required ${Math.round(policy.minStepDurationMs / 1000)} s`;
  if (state.step < lastStep) {
    if (waitAtStep) return hold([`${stepWait}; ${describe}`]);
    return {
      action: 'advance',
      step: state.step + 1,
      treatmentTraffic: traffic(state.step + 1),
      reasons: [
        `no guardrail breached at ${pct(traffic(state.step))}; advancing to ${pct(traffic(state.step + 1))}; ${describe}`,
      ],
    };
  }
  if (verdict.verdict === 'better') {
    if (waitAtStep)
      return hold([
        `${treatment.variant} is better with confidence, ${stepWait} before promoting; ${describe}`,
      ]);
    return {
      action: 'promote',
      step: state.step,
      treatmentTraffic: 1,
      reasons: [`${treatment.variant} is better with confidence: ${describe}`],
    };
  }
  if (verdict.final || timedOut) {
    return stop([
      `${verdict.final ? 'the planned single look found no significant difference' : 'no verdict within the maximum duration'}; keeping the control; ${describe}`,
    ]);
  }
  return hold([`no verdict yet; ${describe}`]);
}

/** What the primary metric says under the policy's rule; `final` when the rule allows no later look. */
function primaryVerdict(
  policy: RolloutPolicy,
  m: MetricComparison,
  totalUnits: number,
): { verdict: Verdict; final: boolean } {
  if (policy.decisionRule === 'sequential') {
    const [lo, hi] = m.sequential.interval;
    return { verdict: lo > 0 ? 'better' : hi < 0 ? 'worse' : 'undecided', final: false };
  }
  if (policy.decisionRule === 'fixed') {
    // One look, at the planned size: before it nothing is read; after it the verdict stands.
    if (totalUnits < policy.fixedHorizonUnits!) return { verdict: 'undecided', final: false };
    const f = m.fixedHorizon;
    return { verdict: f.significant ? (m.difference > 0 ? 'better' : 'worse') : 'undecided', final: true };
  }
  const b = m.bayesian;
  if (!b || !b.relativeExpectedLoss) return { verdict: 'undecided', final: false };
  const { probabilityToPromote, maxExpectedLoss } = policy.bayesian;
  if (
    b.probabilityTreatmentBetter >= probabilityToPromote &&
    b.relativeExpectedLoss.chooseTreatment <= maxExpectedLoss
  )
    return { verdict: 'better', final: false };
  if (
    1 - b.probabilityTreatmentBetter >= probabilityToPromote &&
    b.relativeExpectedLoss.chooseControl <= maxExpectedLoss
  )
    return { verdict: 'worse', final: false };
  return { verdict: 'undecided', final: false };
}

function describePrimary(policy: RolloutPolicy, m: MetricComparison, treatment: string): string {
  const rel = m.relative ? `${m.relative.estimate >= 0 ? '+' : ''}${pct(m.relative.estimate)}` : 'n/a';
  const base = `${m.metric}: control ${num(m.control)}, ${treatment} ${num(m.treatment)} (${rel}`;
  if (policy.decisionRule === 'sequential') {
    const [lo, hi] = m.relative?.sequentialInterval ?? m.sequential.interval;
    const scale = m.relative ? pct : num;
    return `${base}; always-valid ${pct(1 - policy.alpha)} interval [${scale(lo)}, ${scale(hi)}], p = ${m.sequential.pValue.toPrecision(3)})`;
  }
  if (policy.decisionRule === 'fixed')
    return `${base}; fixed-horizon p = ${m.fixedHorizon.pValue.toPrecision(3)})`;
  return `${base}; P(better) = ${m.bayesian ? m.bayesian.probabilityTreatmentBetter.toFixed(4) : 'n/a'})`;
}
