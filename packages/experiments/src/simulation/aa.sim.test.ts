/**
 * Seeded A/A simulation of the default policy: 1,000 tests, both arms at 5% conversion, 2,000 units
 * per hour, looks every 5 minutes for up to 14 days. The always-valid sequential rule must keep its
 * error rates whatever the peeking: promoted ≤ α + 2 SE, rolled back ≤ the guardrail α + 2 SE
 * (SE = √(α(1−α)/N)). Measured with this seed: promoted 2.0%, rolled back 2.3% (both bounds 6.4%).
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
import { pct, standardError } from './simulate-ab-test.ts';

describe('A/A under the default sequential policy (1,000 seeded tests, 5-minute looks, 14 days)', () => {
  it('promotes at most α + 2 SE and rolls back at most the guardrail α + 2 SE', () => {
    const { summary, ...time } = runCase(conversionCaseScenario('A/A'), {
      policy: defaultPolicy,
      seed: conversionCases['A/A'].seed,
    });
    console.log(describeSummary('A/A', summary, time));
    const alpha = defaultPolicy.alpha;
    const guardrailAlpha = defaultPolicy.guardrails.alpha;
    const promoteBound = alpha + 2 * standardError(alpha, TESTS_PER_CASE);
    const rollbackBound = guardrailAlpha + 2 * standardError(guardrailAlpha, TESTS_PER_CASE);
    expect(summary.tests).toBe(TESTS_PER_CASE);
    expect(
      summary.promoted,
      `A/A promoted ${pct(summary.promoted)}, bound ${pct(promoteBound)}`,
    ).toBeLessThanOrEqual(promoteBound);
    expect(
      summary.rolledBack,
      `A/A rolled back ${pct(summary.rolledBack)}, bound ${pct(rollbackBound)}`,
    ).toBeLessThanOrEqual(rollbackBound);
    // Nearly every A/A test runs to the maximum duration and keeps the control.
    expect(summary.stopped, `A/A stopped ${pct(summary.stopped)}`).toBeGreaterThanOrEqual(
      1 - promoteBound - rollbackBound,
    );
    // The sequential SRM test (α 0.001) rarely cries wolf on a correct split.
    expect(summary.srmFlagged, `A/A SRM flagged ${pct(summary.srmFlagged)}`).toBeLessThanOrEqual(
      0.001 + 3 * standardError(0.001, TESTS_PER_CASE),
    );
  });
});
