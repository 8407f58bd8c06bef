import { describe, expect, it } from 'vitest';
import { analyseAbTest, type VariantTotals } from './analysis.ts';
import { decideRollout, rolloutPolicySchema } from './rollout-policy.ts';

const policy = rolloutPolicySchema.parse({ steps: [0.1, 0.5, 1], minExposuresPerArm: 1000, minStepDurationMs: 1000, maxDurationMs: 10_000 });
const arm = (name: string, isControl: boolean, exposures: number, conversions: number, weight = 0.5): VariantTotals => ({
  name,
  isControl,
  weight,
  exposures,
  conversions,
  revenueSum: conversions * 10,
  revenueSumSquares: conversions * 100,
});
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('rollout policy', () => {
  it('holds until each arm has enough exposures', () => {
    const analysis = analyseAbTest([arm('control', true, 500, 50), arm('treatment', false, 480, 50)]);
    const decision = decideRollout(policy, { step: 0, stepStartedAt: t0, testStartedAt: t0, now: at(5000) }, analysis);
    expect(decision.action).toBe('hold');
    expect(decision.reasons[0]).toMatch(/waiting for 1000 exposures per arm/);
  });

  it('advances a treatment that is not worse once the step has lasted long enough', () => {
    const analysis = analyseAbTest([arm('control', true, 5000, 500), arm('treatment', false, 5000, 510)]);
    expect(decideRollout(policy, { step: 0, stepStartedAt: t0, testStartedAt: t0, now: at(500) }, analysis).action).toBe('hold');
    const decision = decideRollout(policy, { step: 0, stepStartedAt: t0, testStartedAt: t0, now: at(2000) }, analysis);
    expect(decision).toMatchObject({ action: 'advance', step: 1, treatmentTraffic: 0.5 });
  });

  it('rolls back a significantly worse treatment at any step', () => {
    const analysis = analyseAbTest([arm('control', true, 5000, 600), arm('treatment', false, 5000, 450)]);
    const decision = decideRollout(policy, { step: 0, stepStartedAt: t0, testStartedAt: t0, now: at(10) }, analysis);
    expect(decision).toMatchObject({ action: 'rollback', treatmentTraffic: 0 });
    expect(decision.reasons[0]).toMatch(/significantly worse/);
  });

  it('promotes a significant winner at the last step, and stops an inconclusive test at the deadline', () => {
    const winning = analyseAbTest([arm('control', true, 20_000, 2000), arm('treatment', false, 20_000, 2300)]);
    expect(decideRollout(policy, { step: 2, stepStartedAt: t0, testStartedAt: t0, now: at(2000) }, winning).action).toBe('promote');
    const flat = analyseAbTest([arm('control', true, 20_000, 2000), arm('treatment', false, 20_000, 2010)]);
    expect(decideRollout(policy, { step: 2, stepStartedAt: t0, testStartedAt: t0, now: at(2000) }, flat).action).toBe('hold');
    expect(decideRollout(policy, { step: 2, stepStartedAt: t0, testStartedAt: t0, now: at(20_000) }, flat).action).toBe('stop');
  });

  it('holds on a sample ratio mismatch instead of trusting the numbers', () => {
    const analysis = analyseAbTest([arm('control', true, 6000, 600), arm('treatment', false, 4000, 800)]);
    const decision = decideRollout(policy, { step: 1, stepStartedAt: t0, testStartedAt: t0, now: at(5000) }, analysis);
    expect(decision.action).toBe('hold');
    expect(decision.reasons[0]).toMatch(/sample ratio mismatch/);
  });

  it('validates the policy with the field named', () => {
    const result = rolloutPolicySchema.safeParse({ steps: [0.5, 0.2] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['steps']);
  });
});
