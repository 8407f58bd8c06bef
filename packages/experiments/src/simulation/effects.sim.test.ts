/**
 * Seeded simulations of true effects under the default policy: 1,000 tests each, 5% baseline,
 * 2,000 units per hour, 5-minute looks, up to 14 days.
 *   +10% (treatment 5.5%): promoted in ≥ 90% within the maximum duration (measured: 100%).
 *   −10% (treatment 4.5%): promoted in ≤ 1%, rolled back in ≥ 95% (measured: 0% and 100%).
 */
import { describe, expect, it } from 'vitest';
import {
  conversionCaseScenario,
  conversionCases,
  defaultPolicy,
  describeSummary,
  runCase,
  TESTS_PER_CASE,
} from './cases.ts';
import { DAY_MS, pct } from './simulate-ab-test.ts';

describe('true effects under the default sequential policy (1,000 seeded tests each, 5-minute looks)', () => {
  it('+10%: promoted in at least 90% of tests within the maximum duration', () => {
    const { results, summary, ...time } = runCase(conversionCaseScenario('+10%'), {
      policy: defaultPolicy,
      seed: conversionCases['+10%'].seed,
    });
    console.log(describeSummary('+10%', summary, time));
    expect(summary.tests).toBe(TESTS_PER_CASE);
    expect(summary.promoted, `+10% promoted ${pct(summary.promoted)}`).toBeGreaterThanOrEqual(0.9);
    expect(summary.rolledBack, `+10% rolled back ${pct(summary.rolledBack)}`).toBeLessThanOrEqual(0.01);
    const promoted = results.filter((r) => r.action === 'promote');
    // Promotion happens at the last step only, after its minimum duration, within 14 days.
    for (const r of promoted) {
      expect(r.step).toBe(defaultPolicy.steps.length - 1);
      expect(r.decidedAtMs - r.advancedAtMs.at(-1)!).toBeGreaterThanOrEqual(defaultPolicy.minStepDurationMs);
      expect(r.decidedAtMs).toBeLessThanOrEqual(14 * DAY_MS);
    }
  });

  it('-10%: promoted in at most 1% and rolled back in at least 95% of tests', () => {
    const { summary, ...time } = runCase(conversionCaseScenario('-10%'), {
      policy: defaultPolicy,
      seed: conversionCases['-10%'].seed,
    });
    console.log(describeSummary('-10%', summary, time));
    expect(summary.tests).toBe(TESTS_PER_CASE);
    expect(summary.promoted, `-10% promoted ${pct(summary.promoted)}`).toBeLessThanOrEqual(0.01);
    expect(summary.rolledBack, `-10% rolled back ${pct(summary.rolledBack)}`).toBeGreaterThanOrEqual(0.95);
  });
});
