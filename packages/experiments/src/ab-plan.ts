/**
 * Planning a test before it starts: from the baseline, the minimum detectable effect and the
 * endpoint's traffic, the units (and days) the sequential design and a fixed-horizon design
 * need for the planned power, and whether the policy's maximum duration allows it. Traffic
 * steps are taken into account: units arrive at each step's coverage for its minimum duration,
 * then at full coverage (the last step) until the end.
 */
import type { MetricComparison } from './analysis.ts';
import { mixingVarianceForMde } from './msprt.ts';
import {
  coverageAtStep,
  metricKind,
  treatmentSplit,
  type MetricKind,
  type RolloutPolicy,
} from './rollout-policy.ts';
import { fixedHorizonUnitsPerArm, sequentialUnitsForPower } from './sample-size.ts';

export interface AbPlanInput {
  /** The control's mean of the primary metric (a rate for proportions). */
  baseline: number;
  kind: MetricKind;
  /** Per-unit standard deviation (means only; a proportion's follows from the baseline). */
  standardDeviation?: number;
  /** New units per hour reaching the endpoint (all of its traffic). */
  unitsPerHour: number;
  power?: number;
}

export interface AbPlan {
  baseline: number;
  minimumDetectableEffect: { relative: number; absolute: number };
  power: number;
  alpha: number;
  unitsPerHour: number;
  sequential: { units: number; hours: number; days: number };
  fixedHorizon: { units: number; hours: number; days: number };
  maxDurationDays: number;
  /** False when the sequential design needs longer than the maximum duration. */
  reachable: boolean;
  message: string;
}

export function planAbTest(policy: RolloutPolicy, input: AbPlanInput): AbPlan {
  const power = input.power ?? 0.8;
  if (!(input.baseline > 0) && input.kind === 'proportion')
    throw new RangeError('baseline: a conversion rate in (0, 1) is needed');
  if (input.kind === 'proportion' && !(input.baseline < 1))
    throw new RangeError('baseline: a conversion rate in (0, 1) is needed');
  if (!(input.unitsPerHour > 0)) throw new RangeError('unitsPerHour must be > 0');
  const sd =
    input.kind === 'proportion' ? Math.sqrt(input.baseline * (1 - input.baseline)) : input.standardDeviation;
  if (!(sd !== undefined && sd > 0))
    throw new RangeError(
      'standardDeviation: a positive per-unit standard deviation is needed for a mean metric',
    );
  const absolute = policy.minimumDetectableEffect * Math.abs(input.baseline);
  const share = treatmentSplit(policy);
  const fixed = fixedHorizonUnitsPerArm({
    baseline: input.baseline,
    standardDeviation: sd,
    minimumDetectableEffect: absolute,
    alpha: policy.alpha,
    power,
    treatmentShare: share,
  }).total;
  const sequential = sequentialUnitsForPower({
    standardDeviation: sd,
    minimumDetectableEffect: absolute,
    alpha: policy.alpha,
    power,
    mixingVariance: mixingVarianceForMde(absolute),
    treatmentShare: share,
  }).total;
  const hoursFor = (units: number) => hoursToCollect(policy, input.unitsPerHour, units);
  const seqHours = hoursFor(sequential);
  const fixedHours = hoursFor(fixed);
  const maxHours = policy.maxDurationMs / 3_600_000;
  const reachable = seqHours <= maxHours;
  const days = (h: number) => h / 24;
  return {
    baseline: input.baseline,
    minimumDetectableEffect: { relative: policy.minimumDetectableEffect, absolute },
    power,
    alpha: policy.alpha,
    unitsPerHour: input.unitsPerHour,
    sequential: { units: sequential, hours: seqHours, days: days(seqHours) },
    fixedHorizon: { units: fixed, hours: fixedHours, days: days(fixedHours) },
    maxDurationDays: days(maxHours),
    reachable,
    message: reachable
      ? `the sequential test reaches ${Math.round(power * 100)}% power for a ${(policy.minimumDetectableEffect * 100).toFixed(1)}% change after about ${Math.ceil(sequential).toLocaleString('en')} units (${formatDuration(seqHours)} at ${Math.round(input.unitsPerHour).toLocaleString('en')} units/hour)`
      : `cannot reach ${Math.round(power * 100)}% power for a ${(policy.minimumDetectableEffect * 100).toFixed(1)}% change within the maximum duration: it needs about ${Math.ceil(sequential).toLocaleString('en')} units (${formatDuration(seqHours)}) and the policy allows ${formatDuration(maxHours)}; raise the MDE, the traffic or the maximum duration`,
  };
}

/** Hours until `units` units are in the test: each step at its coverage for its minimum duration, then full coverage. */
function hoursToCollect(policy: RolloutPolicy, unitsPerHour: number, units: number): number {
  let hours = 0;
  let collected = 0;
  const stepHours = policy.minStepDurationMs / 3_600_000;
  for (let step = 0; step < policy.steps.length - 1; step++) {
    const rate = unitsPerHour * coverageAtStep(policy, step);
    if (collected + rate * stepHours >= units) return hours + (units - collected) / rate;
    collected += rate * stepHours;
    hours += stepHours;
  }
  return hours + (units - collected) / (unitsPerHour * coverageAtStep(policy, policy.steps.length - 1));
}

/** The plan a policy declares (`policy.plan`), or null; a plan that cannot be computed says why in its message. */
export function plannedTest(policy: RolloutPolicy): AbPlan | null {
  if (!policy.plan) return null;
  const { baseline, unitsPerHour, standardDeviation, power } = policy.plan;
  return planAbTest(policy, {
    baseline,
    unitsPerHour,
    power,
    kind: metricKind(policy, policy.metric),
    ...(standardDeviation !== undefined ? { standardDeviation } : {}),
  });
}

/**
 * A plan from what a running test has seen: its control's mean as the baseline and, for a mean
 * metric, the per-unit standard deviation behind its standard error (SE² = σ²(1/n_c + 1/n_t)).
 * Null when the numbers cannot make one (no control mean yet, a rate of 0 or 1).
 */
export function observedPlan(
  policy: RolloutPolicy,
  primary: MetricComparison,
  unitsPerHour: number,
): AbPlan | null {
  const { control, treatment } = primary.units;
  const standardDeviation =
    primary.sequential.standardError * Math.sqrt((control * treatment) / (control + treatment));
  try {
    return planAbTest(policy, {
      baseline: primary.control,
      kind: primary.kind,
      unitsPerHour,
      ...(primary.kind === 'mean' ? { standardDeviation } : {}),
    });
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

function formatDuration(hours: number): string {
  if (!Number.isFinite(hours)) return 'forever';
  if (hours < 1) {
    const minutes = Math.max(1, Math.round(hours * 60));
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  if (hours < 48) return `${hours.toFixed(1)} hours`;
  return `${(hours / 24).toFixed(1)} days`;
}
