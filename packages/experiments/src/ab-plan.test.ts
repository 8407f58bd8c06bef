import { describe, expect, it } from 'vitest';
import { observedPlan, planAbTest, plannedTest } from './ab-plan.ts';
import type { MetricComparison } from './analysis.ts';
import { normalQuantile } from './normal-distribution.ts';
import { rolloutPolicySchema } from './rollout-policy.ts';

const policy = rolloutPolicySchema.parse({});

describe('planning an A/B test', () => {
  it('gives the fixed-horizon units of the two-sample normal formula and walks the traffic steps for the days', () => {
    const plan = planAbTest(policy, { baseline: 0.05, kind: 'proportion', unitsPerHour: 2000 });
    const variance = 0.05 * 0.95;
    const z = normalQuantile(0.975) + normalQuantile(0.8);
    const expected = (z * z * variance * (1 / 0.5 + 1 / 0.5)) / 0.005 ** 2;
    expect(plan.fixedHorizon.units).toBeCloseTo(expected, 0);
    // One hour at 20% coverage (400 units), then all 2,000 units an hour.
    expect(plan.fixedHorizon.hours).toBeCloseTo(1 + (plan.fixedHorizon.units - 400) / 2000, 6);
    // Always-valid inference costs units: the sequential design needs more for the same power.
    expect(plan.sequential.units).toBeGreaterThan(plan.fixedHorizon.units);
    expect(plan.reachable).toBe(true);
    expect(plan.message).toMatch(/reaches 80% power for a 10.0% change/);
  });

  it('says before the test starts when the maximum duration cannot reach the MDE', () => {
    const slow = rolloutPolicySchema.parse({
      minimumDetectableEffect: 0.01,
      plan: { baseline: 0.05, unitsPerHour: 50 },
    });
    const plan = plannedTest(slow)!;
    expect(plan.reachable).toBe(false);
    expect(plan.message).toMatch(/cannot reach 80% power .* within the maximum duration/);
    expect(plannedTest(policy)).toBeNull();
  });

  it('refuses a plan it cannot make, naming the field', () => {
    expect(
      rolloutPolicySchema.safeParse({ plan: { baseline: 1.5, unitsPerHour: 10 } }).error?.issues[0]?.path,
    ).toEqual(['plan', 'baseline']);
    expect(
      rolloutPolicySchema.safeParse({ metric: 'revenue', plan: { baseline: 12, unitsPerHour: 10 } }).error
        ?.issues[0]?.path,
    ).toEqual(['plan', 'standardDeviation']);
    expect(() => planAbTest(policy, { baseline: 10, kind: 'mean', unitsPerHour: 100 })).toThrow(
      /standardDeviation/,
    );
  });

  it('plans from what a running test has seen, and makes no plan where a rate is 0', () => {
    // Only the fields a plan reads: a full MetricComparison would be noise here.
    const seen = (control: number) =>
      ({
        kind: 'proportion',
        control,
        units: { control: 1000, treatment: 1000 },
        sequential: { standardError: 0.01 },
      }) as unknown as MetricComparison;
    expect(observedPlan(policy, seen(0.05), 2000)).toEqual(
      planAbTest(policy, { baseline: 0.05, kind: 'proportion', unitsPerHour: 2000 }),
    );
    expect(observedPlan(policy, seen(0), 2000)).toBeNull();
  });
});
