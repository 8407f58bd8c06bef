/** The simulator applies the monitor's decisions as the monitor does, on the traffic it describes. */
import { describe, expect, it } from 'vitest';
import { coverageAtStep, rolloutPolicySchema } from '../rollout-policy.ts';
import { conversionCaseScenario, defaultPolicy } from './cases.ts';
import {
  conversionScenario,
  DAY_MS,
  HOUR_MS,
  median,
  monitorRule,
  MONITOR_INTERVAL_MS,
  simulateAbTest,
  simulateWithRule,
  summarise,
} from './simulate-ab-test.ts';

describe('A/B test simulator', () => {
  it('is deterministic per (seed, index)', () => {
    const scenario = conversionCaseScenario('+10%');
    const a = simulateAbTest(scenario, { policy: defaultPolicy, seed: 3, index: 7 });
    const b = simulateAbTest(scenario, { policy: defaultPolicy, seed: 3, index: 7 });
    const c = simulateAbTest(scenario, { policy: defaultPolicy, seed: 3, index: 8 });
    expect(b).toEqual(a);
    expect(c.units).not.toBe(a.units);
  });

  it('ramps coverage with a fixed split, advances after the minimum step duration and 500 units per arm, looks every 5 minutes', () => {
    const rule = monitorRule(defaultPolicy, { screen: false });
    const r = simulateWithRule(
      conversionScenario({ control: 0.05, treatment: 0.055 }, { arrivals: 'fixed' }),
      rule,
      { seed: 1, index: 0 },
    );
    expect(r.action).toBe('promote');
    expect(r.decidedAtMs % MONITOR_INTERVAL_MS).toBe(0);
    // Step 0: coverage 0.2 of 2,000/h, half of it to each arm: 200 units per arm per hour, so the
    // 500 per arm needed before any decision take about 2.5 h, longer than the 1 h minimum.
    expect(coverageAtStep(defaultPolicy, 0)).toBeCloseTo(0.2, 12);
    const advancedAt = r.advancedAtMs[0]!;
    expect(advancedAt).toBeGreaterThanOrEqual(2 * HOUR_MS);
    expect(advancedAt).toBeLessThanOrEqual(3.5 * HOUR_MS);
    const analysis = rule.lastAnalysis()!;
    const perStep = (name: string) => analysis.variants.find((v) => v.name === name)!.perStep;
    const step0 = perStep('control')[0]!.units + perStep('treatment')[0]!.units;
    const step1 = perStep('control')[1]!.units + perStep('treatment')[1]!.units;
    const expected0 = (2000 * 0.2 * advancedAt) / HOUR_MS;
    const expected1 = (2000 * (r.decidedAtMs - advancedAt)) / HOUR_MS;
    expect(Math.abs(step0 - expected0)).toBeLessThan(4 * Math.sqrt(expected0));
    expect(Math.abs(step1 - expected1)).toBeLessThan(4 * Math.sqrt(expected1));
    // The split stays 50/50 in both strata.
    expect(Math.abs(perStep('treatment')[0]!.units / step0 - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(perStep('treatment')[1]!.units / step1 - 0.5)).toBeLessThan(0.02);
    expect(r.units).toBe(step0 + step1);
  });

  it('skews the split by the injected factor at every step', () => {
    const rule = monitorRule(defaultPolicy, { screen: false });
    const scenario = conversionScenario(
      { control: 0.05, treatment: 0.05 },
      { treatmentShareFactor: 0.9, unitsPerHour: 20_000 },
    );
    const r = simulateWithRule(scenario, rule, { seed: 2, index: 0, stopWhenSrmFlagged: true });
    expect(r.action).toBe('hold');
    expect(r.srmFlagged).toBe(true);
    expect(r.unitsPerArm.treatment / r.units).toBeLessThan(0.49);
  });

  it('carries the SRM rejection from look to look, as the monitor does: held until the maximum duration, then stopped', () => {
    const scenario = conversionScenario({ control: 0.05, treatment: 0.08 }, { treatmentShareFactor: 0.9 });
    for (const screen of [true, false]) {
      const r = simulateAbTest(scenario, { policy: defaultPolicy, seed: 5, index: 0, screen });
      expect(r.srmFlagged).toBe(true);
      expect(r.srmFirstFlaggedAtMs!).toBeLessThan(DAY_MS);
      // A +60% treatment would be promoted within hours; the carried mismatch keeps it held.
      expect(r.action).toBe('stop');
      expect(r.decidedAtMs).toBe(defaultPolicy.maxDurationMs);
      expect(r.reasons.join(' ')).toMatch(/sample ratio mismatch/);
    }
  });

  it('stops at the maximum duration without a verdict, and promotes nothing it cannot see', () => {
    // 1 h maximum: the test never reaches 500 units per arm at 100 units per hour.
    const policy = rolloutPolicySchema.parse({ maxDurationMs: 3_600_000 });
    const r = simulateAbTest(conversionScenario({ control: 0.05, treatment: 0.5 }, { unitsPerHour: 100 }), {
      policy,
      seed: 4,
      index: 0,
    });
    expect(r.action).toBe('stop');
    expect(r.decidedAtMs).toBe(3_600_000);
    expect(r.reasons.join(' ')).toMatch(/waiting for 500 units per arm/);
  });

  it('summarises outcome shares and medians', () => {
    const results = Array.from({ length: 5 }, (_, index) =>
      simulateAbTest(conversionCaseScenario('-10%'), { policy: defaultPolicy, seed: 9, index }),
    );
    const s = summarise(results);
    expect(s.tests).toBe(5);
    expect(s.promoted + s.rolledBack + s.stopped + s.held).toBeCloseTo(1, 12);
    expect(s.medianUnits).toBe(median(results.map((r) => r.units)));
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
