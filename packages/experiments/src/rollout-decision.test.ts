import { describe, expect, it } from 'vitest';
import { analyseAbTest, type AbTestData, type MetricCell, type RequestCell } from './analysis.ts';
import { decideRollout } from './rollout-decision.ts';
import { coverageAtStep, rolloutPolicySchema, trackedMetrics, treatmentSplit } from './rollout-policy.ts';

const policy = rolloutPolicySchema.parse({
  steps: [0.1, 0.5],
  minExposuresPerArm: 1000,
  minStepDurationMs: 1000,
  maxDurationMs: 10_000,
});
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

/** One step's cells: conversion (a proportion) and revenue (10 per conversion). */
function cells(step: number, arms: Record<string, [units: number, conversions: number]>): MetricCell[] {
  return Object.entries(arms).flatMap(([variant, [units, conversions]]) => [
    {
      variant,
      step,
      metric: 'conversion',
      units,
      sum: conversions,
      sumSquares: conversions,
      covariateSum: 0,
      covariateSumSquares: 0,
      crossSum: 0,
    },
    {
      variant,
      step,
      metric: 'revenue',
      units,
      sum: conversions * 10,
      sumSquares: conversions * 100,
      covariateSum: 0,
      covariateSumSquares: 0,
      crossSum: 0,
    },
  ]);
}
const data = (metrics: MetricCell[], requests: RequestCell[] = []): AbTestData => ({
  variants: [
    { name: 'control', isControl: true, weight: 0.5 },
    { name: 'treatment', isControl: false, weight: 0.5 },
  ],
  metrics,
  requests,
  elapsedMs: 3_600_000,
  coverage: 1,
});
const decide = (d: AbTestData, step: number, nowMs: number, p = policy) =>
  decideRollout(p, { step, stepStartedAt: t0, testStartedAt: t0, now: at(nowMs) }, analyseAbTest(d, p));

describe('rollout policy', () => {
  it('keeps the split fixed and ramps coverage: a unit never changes arm', () => {
    expect(treatmentSplit(policy)).toBe(0.5);
    expect(coverageAtStep(policy, 0)).toBeCloseTo(0.2, 12);
    expect(coverageAtStep(policy, 1)).toBe(1);
    expect(trackedMetrics(policy)).toEqual([
      { name: 'conversion', kind: 'proportion' },
      { name: 'revenue', kind: 'mean' },
    ]);
  });

  it('validates the policy with the field named', () => {
    const result = rolloutPolicySchema.safeParse({ steps: [0.5, 0.2] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['steps']);
    expect(rolloutPolicySchema.safeParse({ steps: [0.5, 1] }).success).toBe(false); // 100% is promotion, not a step
    expect(rolloutPolicySchema.safeParse({ decisionRule: 'fixed' }).error?.issues[0]?.path).toEqual([
      'fixedHorizonUnits',
    ]);
  });
});

describe('rollout decision', () => {
  it('holds until each arm has enough units', () => {
    const decision = decide(data(cells(0, { control: [500, 50], treatment: [480, 50] })), 0, 5000);
    expect(decision.action).toBe('hold');
    expect(decision.reasons[0]).toMatch(/waiting for 1000 units per arm/);
  });

  it('advances once the step has lasted long enough, whatever the point estimate, while no guardrail is breached', () => {
    // 5% worse as a point estimate, far from significant: no rollback on a point estimate.
    const d = data(cells(0, { control: [5000, 500], treatment: [5000, 475] }));
    expect(decide(d, 0, 500).action).toBe('hold');
    expect(decide(d, 0, 2000)).toMatchObject({ action: 'advance', step: 1, treatmentTraffic: 0.5 });
  });

  it('rolls back a treatment that is worse with confidence (its always-valid interval below 0)', () => {
    const decision = decide(data(cells(0, { control: [5000, 600], treatment: [5000, 400] })), 0, 10);
    expect(decision).toMatchObject({ action: 'rollback', treatmentTraffic: 0 });
    expect(decision.reasons[0]).toMatch(/worse with confidence/);
  });

  it('rolls back on a guardrail breached with confidence: the gateway errors of the treatment', () => {
    const requests: RequestCell[] = [
      {
        variant: 'control',
        step: 0,
        requests: 4000,
        errors: 4,
        slow: 0,
        latencySumMs: 40_000,
        latencyHistogram: [],
      },
      {
        variant: 'treatment',
        step: 0,
        requests: 4000,
        errors: 400,
        slow: 0,
        latencySumMs: 40_000,
        latencyHistogram: [],
      },
    ];
    const decision = decide(
      data(cells(0, { control: [5000, 500], treatment: [5000, 500] }), requests),
      0,
      10,
    );
    expect(decision.action).toBe('rollback');
    expect(decision.reasons.join(' ')).toMatch(/guardrail breached: gateway error rate/);
  });

  it('promotes a winner at the last step only after its minimum duration, and stops an undecided test at the deadline', () => {
    const winning = data(cells(1, { control: [20_000, 2000], treatment: [20_000, 2400] }));
    expect(decide(winning, 1, 500).action).toBe('hold');
    expect(decide(winning, 1, 2000).action).toBe('promote');
    const flat = data(cells(1, { control: [20_000, 2000], treatment: [20_000, 2010] }));
    expect(decide(flat, 1, 2000).action).toBe('hold');
    expect(decide(flat, 1, 20_000).action).toBe('stop');
  });

  it('holds on a sample ratio mismatch instead of trusting the numbers', () => {
    const decision = decide(data(cells(1, { control: [6000, 600], treatment: [4000, 800] })), 1, 5000);
    expect(decision.action).toBe('hold');
    expect(decision.reasons[0]).toMatch(/sample ratio mismatch/);
  });

  it('decides on all steps together: the strata of both steps count', () => {
    const both = data([
      ...cells(0, { control: [8000, 800], treatment: [2000, 200] }),
      ...cells(1, { control: [5000, 500], treatment: [5000, 650] }),
    ]);
    const analysis = analyseAbTest(
      { ...both, variants: both.variants.map((v) => ({ ...v, weight: 0.5 })) },
      policy,
    );
    const primary = analysis.treatments[0]!.primary!;
    expect(primary.units).toEqual({ control: 13_000, treatment: 7000 });
  });

  it('with the fixed rule reads nothing before the planned look, and decides at it', () => {
    const fixed = rolloutPolicySchema.parse({ ...policy, decisionRule: 'fixed', fixedHorizonUnits: 40_000 });
    const early = data(cells(1, { control: [10_000, 1000], treatment: [10_000, 1300] }));
    expect(decide(early, 1, 2000, fixed).action).toBe('hold');
    const atLook = data(cells(1, { control: [20_000, 2000], treatment: [20_000, 2300] }));
    expect(decide(atLook, 1, 2000, fixed).action).toBe('promote');
  });
});
