/**
 * The look screen changes nothing: the same seeded tests simulated with the screen (the real
 * analysis skipped at looks certified `hold`) and without it (the real analysis at every look) end
 * identically — same action, look, units, steps, SRM flags and reasons. The A/A tests compared are
 * every one of the first 150 that ended in a promotion or rollback (where a boundary was crossed)
 * plus three that ran the full 14 days.
 */
import { describe, expect, it } from 'vitest';
import { analyseAbTest, type AbTestData, type MetricCell } from '../analysis.ts';
import { decideRollout } from '../rollout-decision.ts';
import { rolloutPolicySchema, type RolloutPolicy } from '../rollout-policy.ts';
import {
  conversionCaseScenario,
  conversionCases,
  cupedPolicy,
  cupedScenario,
  defaultPolicy,
} from './cases.ts';
import { LookScreen } from './look-screen.ts';
import { DAY_MS, simulateAbTest, type AbScenario, type SimulationResult } from './simulate-ab-test.ts';

const outcome = (r: SimulationResult) => ({
  action: r.action,
  decidedAtMs: r.decidedAtMs,
  units: r.units,
  unitsPerArm: r.unitsPerArm,
  step: r.step,
  advancedAtMs: r.advancedAtMs,
  srmFlagged: r.srmFlagged,
  srmFirstFlaggedAtMs: r.srmFirstFlaggedAtMs,
  // A test ended early at an SRM hold that the screen certified carries the screen's reason.
  reasons: r.action === 'hold' ? [] : r.reasons,
});

function compare(
  scenario: AbScenario,
  policy: RolloutPolicy,
  seed: number,
  indices: number[],
  extra: { stopWhenSrmFlagged?: boolean } = {},
) {
  let analysedScreened = 0;
  let analysedAll = 0;
  for (const index of indices) {
    const screened = simulateAbTest(scenario, { policy, seed, index, ...extra });
    const exact = simulateAbTest(scenario, { policy, seed, index, screen: false, ...extra });
    expect(outcome(screened), `test ${index}`).toEqual(outcome(exact));
    expect(exact.analysedLooks).toBe(exact.looks);
    analysedScreened += screened.analysedLooks;
    analysedAll += exact.analysedLooks;
  }
  return { analysedScreened, analysedAll };
}

describe('look screen: screened and unscreened simulations decide identically', () => {
  it('A/A: every boundary crossing among the first 150 tests, and three full-length tests', () => {
    const seed = conversionCases['A/A'].seed;
    const scenario = conversionCaseScenario('A/A');
    const ended = Array.from({ length: 150 }, (_, index) => ({
      index,
      r: simulateAbTest(scenario, { policy: defaultPolicy, seed, index }),
    }));
    const decided = ended
      .filter((e) => e.r.action === 'promote' || e.r.action === 'rollback')
      .map((e) => e.index);
    const full = ended
      .filter((e) => e.r.action === 'stop')
      .slice(0, 3)
      .map((e) => e.index);
    expect(decided.length).toBeGreaterThanOrEqual(2);
    const { analysedScreened, analysedAll } = compare(scenario, defaultPolicy, seed, [...decided, ...full]);
    expect(analysedScreened).toBeLessThan(analysedAll / 5);
  });

  it('+10% and -10%', () => {
    compare(conversionCaseScenario('+10%'), defaultPolicy, conversionCases['+10%'].seed, [0, 1, 2, 3, 4, 5]);
    compare(conversionCaseScenario('-10%'), defaultPolicy, conversionCases['-10%'].seed, [0, 1, 2, 3, 4, 5]);
  });

  it('52/48 assignment bug, stopped at the first SRM flag', () => {
    compare(
      conversionCaseScenario('A/A', { treatmentShareFactor: 0.96 }),
      defaultPolicy,
      0x5e4,
      [0, 1, 2, 3, 4, 5, 6, 7],
      { stopWhenSrmFlagged: true },
    );
  });

  it('CUPED (continuous metric, covariates) with and without the adjustment', () => {
    compare(cupedScenario(), cupedPolicy(true), 0xc0ed, [0, 1, 2, 3]);
    compare(cupedScenario(), cupedPolicy(false), 0xc0ed, [0, 1, 2, 3]);
  });

  it('Bayesian rule: the tests among the first 30 decided within 3 days', () => {
    const policy = rolloutPolicySchema.parse({ decisionRule: 'bayesian' });
    const scenario = conversionCaseScenario('A/A');
    const quick = Array.from({ length: 30 }, (_, index) => ({
      index,
      r: simulateAbTest(scenario, { policy, seed: 0xba5e, index, crossCheckEvery: 288 }),
    }))
      .filter((e) => e.r.decidedAtMs <= 3 * DAY_MS)
      .slice(0, 8)
      .map((e) => e.index);
    expect(quick.length).toBeGreaterThanOrEqual(4);
    compare(scenario, policy, 0xba5e, quick);
  });
});

describe('look screen: its checks fail loudly', () => {
  const cell = (
    variant: string,
    step: number,
    metric: string,
    units: number,
    sum: number,
    sumSquares: number,
  ): MetricCell => ({
    variant,
    step,
    metric,
    units,
    sum,
    sumSquares,
    covariateSum: 0,
    covariateSumSquares: 0,
    crossSum: 0,
  });
  const cells = [
    [
      [
        cell('control', 0, 'conversion', 3000, 150, 150),
        cell('control', 0, 'revenue', 3000, 6000, 6000 * 80),
      ],
      [
        cell('treatment', 0, 'conversion', 3000, 160, 160),
        cell('treatment', 0, 'revenue', 3000, 6300, 6300 * 80),
      ],
    ],
  ];
  const data: AbTestData = {
    variants: [
      { name: 'control', isControl: true, weight: 0.5 },
      { name: 'treatment', isControl: false, weight: 0.5 },
    ],
    metrics: cells.flat(2),
    requests: [],
    elapsedMs: 0,
    coverage: 1,
  };
  const policy = rolloutPolicySchema.parse({ steps: [0.5] });
  const t0 = new Date(0);
  const state = { step: 0, stepStartedAt: t0, testStartedAt: t0, now: new Date(3_600_000 * 5) };

  it('agrees with the analysis on a look, and throws when the analysis says otherwise', () => {
    const screen = new LookScreen(policy, ['conversion', 'revenue'], { control: 0.5, treatment: 0.5 }, false);
    screen.read(cells, { step: 0, stepStartedAtMs: 0, testStartedAtMs: 0, nowMs: state.now.getTime() });
    expect(screen.certifiedHold).toBe(true);
    const analysis = analyseAbTest(data, policy, { detail: 'decision' });
    const decision = decideRollout(policy, state, analysis);
    expect(decision.action).toBe('hold');
    expect(() => screen.check(analysis, 'test')).not.toThrow();

    const narrower = structuredClone(analysis);
    narrower.treatments[0]!.primary!.sequential.interval = [0.0001, 0.01];
    expect(() => screen.check(narrower, 'test')).toThrow(/primary interval/);
    const pValue = structuredClone(analysis);
    pValue.treatments[0]!.primary!.sequential.pValue *= 0.999;
    expect(() => screen.check(pValue, 'test')).toThrow(/primary p-value/);
    const breached = structuredClone(analysis);
    breached.treatments[0]!.guardrails[0]!.bound *= 1.01;
    expect(() => screen.check(breached, 'test')).toThrow(/guardrail bound/);
    const srm = structuredClone(analysis);
    srm.sampleRatioMismatch.logBayesFactor += 0.01;
    expect(() => screen.check(srm, 'test')).toThrow(/SRM/);
  });

  it('screens nothing it does not model (the fixed rule, secondary metrics, request data)', () => {
    const metrics = ['conversion', 'revenue'];
    const weights = { control: 0.5, treatment: 0.5 };
    expect(
      new LookScreen(
        rolloutPolicySchema.parse({ decisionRule: 'fixed', fixedHorizonUnits: 1000 }),
        metrics,
        weights,
        false,
      ).supported,
    ).toBe(false);
    expect(
      new LookScreen(
        rolloutPolicySchema.parse({ secondaryMetrics: [{ name: 'clicks' }] }),
        metrics,
        weights,
        false,
      ).supported,
    ).toBe(false);
    expect(new LookScreen(defaultPolicy, metrics, weights, true).supported).toBe(false);
    expect(new LookScreen(defaultPolicy, metrics, weights, false).supported).toBe(true);
  });
});
