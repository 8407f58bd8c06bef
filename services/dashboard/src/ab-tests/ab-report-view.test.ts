import { describe, expect, it } from 'vitest';
import type { AbTest } from '@lathe/contract';
import {
  bayesianView,
  currentTraffic,
  formatAmount,
  formatInterval,
  formatPoints,
  formatShare,
  guardrailRows,
  headerView,
  healthRows,
  historyRows,
  intervalBar,
  isAbReport,
  liftOverTime,
  planView,
  primaryView,
  readoutView,
  reasonLines,
  secondaryRows,
  sequentialVerdict,
  srmView,
  withInterval,
  type AbReportWire,
} from './ab-report-view.ts';
import { decision, degenerate, NOW, overTheWire, report, strings } from './ab-report-fixtures.ts';

function allViews(r: AbReportWire) {
  return {
    header: headerView(r, NOW),
    primary: primaryView(r),
    guardrails: guardrailRows(r),
    secondary: secondaryRows(r),
    bayes: bayesianView(r),
    srm: srmView(r),
    health: healthRows(r),
    readout: readoutView(r),
    plan: planView(r, NOW),
    history: historyRows(r),
  };
}

describe('number formatting', () => {
  it('reads null bounds inside an interval as unbounded, and no interval as —', () => {
    const pct = (v: number) => `${v * 100}%`;
    expect(formatInterval([0.01, 0.02], pct)).toBe('[1%, 2%]');
    expect(formatInterval([null, 0.02], pct)).toBe('[−∞, 2%]');
    expect(formatInterval([0.01, null], pct)).toBe('[1%, +∞]');
    expect(formatInterval([null, null], pct)).toBe('[−∞, +∞]');
    expect(formatInterval(null, pct)).toBe('—');
    expect(formatInterval(undefined, pct)).toBe('—');
    expect(withInterval(null, [null, 1], String)).toBe('— [−∞, 1]');
    expect(withInterval(2, null, String)).toBe('2');
  });

  it('prints shares and amounts without NaN', () => {
    expect(formatShare(0.05)).toBe('5%');
    expect(formatPoints(0.01)).toBe('1.00 pp');
    expect(formatPoints(-0.00001)).toBe('0.001 pp');
    expect(formatPoints(0)).toBe('0.00 pp');
    expect(formatPoints(null)).toBe('—');
    expect(formatShare(0.125)).toBe('12.5%');
    expect(formatShare(null)).toBe('—');
    expect(formatShare(NaN)).toBe('—');
    expect(formatAmount(12345.6, true)).toBe('+12,346');
    expect(formatAmount(-0.25, true)).toBe('−0.25');
    expect(formatAmount(-3000)).toBe('−3,000');
    expect(formatAmount(null)).toBe('—');
  });

  it('places an interval on a symmetric bar, unbounded ends at the edges', () => {
    const bar = intervalBar([0.01, 0.05])!;
    expect(bar.zero).toBeCloseTo(0.5);
    expect(bar.right).toBeCloseTo((0.05 + 0.055) / 0.11);
    expect(bar.left).toBeGreaterThan(bar.zero);
    expect(intervalBar([null, null])).toEqual({ left: 0, right: 1, zero: 0.5 });
    expect(intervalBar(null)).toBeNull();
  });

  it('takes a verdict from the always-valid interval only when it excludes 0', () => {
    expect(sequentialVerdict([0.01, 0.2])).toBe('better');
    expect(sequentialVerdict([-0.2, -0.01])).toBe('worse');
    expect(sequentialVerdict([-0.2, 0.1])).toBe('inconclusive');
    expect(sequentialVerdict([null, null])).toBe('inconclusive');
    expect(sequentialVerdict([null, -0.1])).toBe('worse');
    expect(sequentialVerdict(null)).toBe('inconclusive');
  });
});

describe('the report shape', () => {
  it('tells the new report from an older API’s', () => {
    expect(isAbReport(overTheWire(report()))).toBe(true);
    expect(isAbReport({ abTestId: 't', name: 't', variants: [] })).toBe(false);
    expect(isAbReport(null)).toBe(false);
  });
});

describe('the panels of a typical report', () => {
  const r = overTheWire(report());

  it('header: rule, step, share, coverage, split', () => {
    const h = headerView(r, NOW);
    expect(h).toMatchObject({
      name: 'clicks-ab',
      endpoint: 'clicks',
      decisionRule: 'sequential',
      alpha: '0.05',
      step: 'step 2 of 3',
      treatmentShare: '25%',
      coverage: '50%',
      steps: '5% → 25% → 50%',
      split: 'control 50% · challenger 50%',
      hashVersion: 'v2',
      treatment: 'challenger',
      ended: '—',
      elapsed: '2 d 0 h',
    });
    expect(h.rule).toMatch(/coverage hash/);
  });

  it('primary metric: means, lift, both intervals, p-value, CUPED, units', () => {
    const p = primaryView(r)!;
    expect(p.arms).toEqual([
      { variant: 'control', role: 'control', units: '1,000', mean: '10.00%' },
      { variant: 'challenger', role: 'treatment', units: '1,000', mean: '16.00%' },
    ]);
    expect(p.difference).toBe('+6.00 pp');
    expect(p.relativeLift).toBe('+60.0%');
    expect(p.sequentialInterval).toBe('[+25.0%, +95.0%]');
    expect(p.fixedInterval).toBe('[+40.0%, +80.0%]');
    expect(p.sequentialDifferenceInterval).toBe('[+2.50 pp, +9.50 pp]');
    expect(p.sequentialPValue).toBe('< 0.001');
    expect(p.cuped).toBe('applied: 23.4% lower variance');
    expect(p.unitsPerArm).toBe('control 1,000 · challenger 1,000');
    expect(p.verdict).toBe('better');
    expect(p.verdictText).toBe(
      'challenger is better with confidence: the always-valid 95% interval excludes 0',
    );
  });

  it('primary metric: none without data', () => {
    const r2 = report();
    r2.analysis.treatments[0]!.primary = null;
    expect(primaryView(overTheWire(r2))).toBeNull();
    expect(primaryView(overTheWire(report({ analysis: { ...r2.analysis, treatments: [] } })))).toBeNull();
  });

  it('guardrails: rates in points, business metric in its units, the state', () => {
    const [errors, revenue] = guardrailRows(r);
    expect(errors).toMatchObject({
      control: '0.20%',
      treatment: '0.30%',
      difference: '+0.10 pp',
      bound: '+0.40 pp',
      margin: '1.00 pp',
      direction: 'lower is better',
      state: 'confirmed non-inferior',
      tone: 'passed',
    });
    expect(revenue).toMatchObject({
      control: '1.2',
      treatment: '1',
      difference: '−0.2',
      bound: '−0.15',
      margin: '0.06',
      state: 'breached',
      tone: 'worse',
    });
  });

  it('secondary metrics: adjusted p-values, significant after correction', () => {
    const [clicks] = secondaryRows(r);
    expect(clicks).toMatchObject({
      metric: 'clicks',
      control: '2.5',
      treatment: '2.6',
      difference: '+0.1',
      pValue: '< 0.001',
      adjustedPValue: '0.020',
      significant: true,
    });
  });

  it('Bayesian: P(better), losses with their relative size, credible intervals', () => {
    expect(bayesianView(r)).toEqual({
      probabilityTreatmentBetter: '99.99%',
      lossChooseTreatment: '0.001 pp (0.01% of the control)',
      lossChooseControl: '6.00 pp (60.00% of the control)',
      credibleControl: '[8.20%, 12.00%]',
      credibleTreatment: '[13.80%, 18.40%]',
    });
    const r2 = report();
    r2.analysis.treatments[0]!.primary!.bayesian = null;
    expect(bayesianView(overTheWire(r2))).toBeNull();
  });

  it('SRM: sequential p, χ², units per step and variant', () => {
    const s = srmView(r);
    expect(s).toMatchObject({
      pValue: '0.400',
      detected: false,
      chiSquare: '0.25',
      chiSquarePValue: '0.620',
      expected: 'control 50% · challenger 50%',
    });
    expect(s.variants).toEqual(['control', 'challenger']);
    expect(s.rows).toEqual([
      { step: '1 (5%)', units: ['100', '—'], total: '100' },
      { step: '2 (25%)', units: ['900', '1,000'], total: '1,900' },
    ]);
    expect(s.total).toEqual({ units: ['1,000', '1,000'], total: '2,000' });
  });

  it('health: rates and latencies, — for an arm without requests', () => {
    expect(healthRows(r)).toEqual([
      {
        variant: 'control',
        requests: '12,000',
        errorRate: '0.20%',
        slowRate: '1.00%',
        meanLatency: '42.5 ms',
        p99Latency: '480 ms',
      },
      {
        variant: 'challenger',
        requests: '0',
        errorRate: '—',
        slowRate: '—',
        meanLatency: '—',
        p99Latency: '—',
      },
    ]);
  });

  it('business readout, and — for every null part', () => {
    expect(readoutView(r)).toEqual({
      revenuePerUnit: {
        control: '1.2',
        treatment: '1.35',
        difference: '+0.15 [−0.05, +0.35]',
        relativeUplift: '+12.5%',
      },
      conversion: { control: '10.00%', treatment: '16.00%', uplift: '+60.0% [+40.0%, +80.0%]' },
      unitsPerHour: '83.3',
      projectedMonthlyImpact: '+9,000 [−3,000, +21,000]',
      probabilityLosesMoney: '7.00%',
    });
    const r2 = report();
    r2.analysis.readout = {
      conversion: null,
      revenuePerUnit: null,
      unitsPerHour: null,
      projectedMonthlyImpact: null,
      probabilityLosesMoney: null,
    };
    expect(strings(readoutView(overTheWire(r2))).every((s) => s === '—')).toBe(true);
  });

  it('plan vs actual', () => {
    const p = planView(r, NOW);
    expect(p.plan).toMatchObject({
      reachable: false,
      baseline: '10.00%',
      minimumDetectableEffect: '10.0% relative (1.00 pp)',
      power: '80%',
      maxDuration: '14.0 days',
    });
    expect(p.plan!.designs).toEqual([
      {
        design: 'sequential (always-valid)',
        units: '40,000',
        days: '20.0 days',
        unitsProgress: 0.05,
        unitsProgressText: '5%',
      },
      {
        design: 'fixed horizon (one look)',
        units: '28,000',
        days: '14.0 days',
        unitsProgress: 2000 / 28000,
        unitsProgressText: '7%',
      },
    ]);
    expect(p.actual).toEqual({
      units: '2,000',
      elapsed: '2 d 0 h',
      elapsedDays: '2.0 days',
      unitsPerHour: '83.3',
    });
    expect(planView(overTheWire(report({ plan: null })), NOW).plan).toBeNull();
  });
});

describe('history', () => {
  const r = overTheWire(report());

  it('lists the looks newest first', () => {
    const rows = historyRows(r);
    expect(rows.map((h) => h.id)).toEqual(['third', 'second', 'first']);
    expect(rows[0]).toMatchObject({
      step: '2 (25%)',
      action: 'advance',
      tone: 'rolling_out',
      applied: 'yes',
      lift: '+50.0% [+10.0%, +90.0%]',
      pValue: '0.010',
      units: '1,000',
    });
    expect(rows[1]!.lift).toBe('+70.0% [−∞, +∞]');
    expect(rows[2]).toMatchObject({
      lift: '—',
      pValue: '—',
      units: '—',
      reasons: ['waiting for 500 units per arm'],
    });
  });

  it('keeps the API’s later entry first when two looks share a time, and unreadable times last', () => {
    const rows = historyRows({
      steps: [0.5],
      history: [
        decision('2026-12-03T10:00:00Z', { id: 'a' }),
        decision('bad', { id: 'x' }),
        decision('2026-12-03T10:00:00Z', { id: 'b' }),
      ],
    });
    expect(rows.map((h) => h.id)).toEqual(['b', 'a', 'x']);
  });

  it('builds the lift series oldest first, infinite bounds as gaps, with a zero line', () => {
    const shuffled = report();
    shuffled.history = [shuffled.history[2]!, shuffled.history[0]!, shuffled.history[1]!];
    const chart = liftOverTime(overTheWire(shuffled));
    expect(chart.x).toEqual(
      ['2026-12-03T10:00:00Z', '2026-12-03T11:00:00Z', '2026-12-03T12:00:00Z'].map(
        (t) => Date.parse(t) / 1000,
      ),
    );
    expect(chart.estimate).toEqual([null, 0.7, 0.5]);
    expect(chart.lower).toEqual([null, null, 0.1]);
    expect(chart.upper).toEqual([null, null, 0.9]);
    expect(chart.reference).toEqual([0, 0, 0]);
    expect(chart.title).toBe('conversion: relative lift with its always-valid 95% interval at each look');
  });

  it('leaves out looks without a readable time, and is empty without looks', () => {
    expect(liftOverTime({ history: [decision('bad')], primaryMetric: 'm', alpha: null }).x).toEqual([]);
    expect(liftOverTime({ history: [], primaryMetric: 'm', alpha: 0.05 }).x).toEqual([]);
  });
});

describe('a report of nulls (every Infinity and NaN after JSON)', () => {
  it('renders no NaN, undefined or Infinity anywhere', () => {
    const r = overTheWire(degenerate());
    const views = allViews(r);
    const all = strings(views);
    expect(all.length).toBeGreaterThan(50);
    for (const s of all) expect(s).not.toMatch(/NaN|undefined|Infinity|null/);
    expect(views.primary!.sequentialInterval).toBe('[−∞, +∞]');
    expect(views.primary!.verdict).toBe('inconclusive');
    expect(views.primary!.cuped).toBe('applied: — lower variance');
    expect(views.header).toMatchObject({
      alpha: '—',
      step: '—',
      coverage: '—',
      steps: '— → —',
      hashVersion: '—',
      rule: '—',
    });
    expect(views.bayes!.credibleTreatment).toBe('[0.00%, +∞]');
    expect(views.readout.projectedMonthlyImpact).toBe('— [−∞, +∞]');
    expect(views.plan.plan!.designs.map((d) => d.unitsProgress)).toEqual([null, null]);
    expect(views.history[0]).toMatchObject({ decidedAt: 'not a date', step: '—', lift: '— [−∞, +∞]' });
    const chart = liftOverTime(r);
    expect(chart.x).toEqual([]);
  });
});

describe('currentTraffic and reasons (the list page)', () => {
  const test: AbTest = {
    id: 't',
    name: 't',
    endpoint: 'e',
    experimentId: null,
    status: 'running',
    primaryMetric: 'conversion',
    policy: { steps: [0.05, 0.25, 0.5] },
    currentStep: 1,
    coverage: 0.25,
    plan: null,
    hashVersion: 1,
    decision: null,
    decisionReasons: [],
    startedAt: null,
    endedAt: null,
    createdAt: '',
    variants: [],
  };
  it('reads the traffic step of a running test', () => {
    expect(currentTraffic(test)).toBe(0.25);
    expect(currentTraffic({ ...test, status: 'promoted' })).toBe(1);
    expect(currentTraffic({ ...test, currentStep: 9 })).toBe(0.5);
    expect(currentTraffic({ ...test, policy: {} })).toBeNull();
  });
  it('prints reasons of any shape', () => {
    expect(reasonLines(['a', { message: 'b' }, { rule: 1 }])).toEqual(['a', 'b', '{"rule":1}']);
    expect(reasonLines(null)).toEqual([]);
  });
});
