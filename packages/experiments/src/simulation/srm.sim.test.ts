/**
 * Seeded simulation of an assignment bug: the treatment gets 48% of the included units instead of
 * 50% (the same relative skew, ×0.96, at every step), true rates equal. The sequential SRM test
 * must flag it (a look that holds on a sample ratio mismatch) in ≥ 99% of 1,000 tests. A test is
 * simulated until its first flag — what is measured is final then — or until it ends.
 * Measured with this seed: flagged in 99.6%, first at a median of 10.7k units (7.5 hours).
 */
import { describe, expect, it } from 'vitest';
import { conversionCaseScenario, defaultPolicy, describeSummary, runCase, TESTS_PER_CASE } from './cases.ts';
import { HOUR_MS, median, pct } from './simulate-ab-test.ts';

describe('assignment bug 52/48 under the default policy (1,000 seeded tests, 5-minute looks)', () => {
  it('the sequential SRM test flags it in at least 99% of tests', () => {
    const { results, summary, ...time } = runCase(
      conversionCaseScenario('A/A', { treatmentShareFactor: 0.96 }),
      {
        policy: defaultPolicy,
        seed: 0x5e4,
        stopWhenSrmFlagged: true,
      },
    );
    const flagged = results.filter((r) => r.srmFlagged);
    const hours = median(flagged.map((r) => r.srmFirstFlaggedAtMs! / HOUR_MS));
    console.log(
      `${describeSummary('52/48 assignment bug', summary, time)}; median first flag at ${hours.toFixed(1)} h`,
    );
    expect(summary.tests).toBe(TESTS_PER_CASE);
    expect(summary.srmFlagged, `52/48 SRM flagged in ${pct(summary.srmFlagged)}`).toBeGreaterThanOrEqual(
      0.99,
    );
    // And soon: half of the tests are flagged within a day (measured: 7.5 h, about 10.7k units).
    expect(hours, `median first flag at ${hours.toFixed(1)} h`).toBeLessThanOrEqual(24);
  });
});
