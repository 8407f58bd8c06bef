/**
 * A/B reports for the dashboard's tests: a typical one and one whose every number is what
 * JSON makes of Infinity and NaN (null). Typed against @lathe/experiments' AbReport, so a
 * change of the shape fails the typecheck here.
 */
import type { AbDecisionSummary, AbReport, MetricComparison } from '@lathe/experiments';
import type { AbReportWire } from './ab-report-view.ts';

/** What the page gets: the report after JSON, which writes Infinity and NaN as null. */
export const overTheWire = (report: AbReport): AbReportWire =>
  JSON.parse(JSON.stringify(report)) as AbReportWire;

export const NOW = Date.parse('2026-12-04T12:00:00Z');

export function comparison(overrides: Partial<MetricComparison> = {}): MetricComparison {
  return {
    metric: 'conversion',
    kind: 'proportion',
    role: 'primary',
    units: { control: 1000, treatment: 1000 },
    control: 0.1,
    treatment: 0.16,
    difference: 0.06,
    relative: {
      estimate: 0.6,
      standardError: 0.1,
      sequentialInterval: [0.25, 0.95],
      fixedInterval: [0.4, 0.8],
    },
    cuped: { applied: true, varianceReduction: 0.234 },
    sequential: {
      estimate: 0.06,
      standardError: 0.015,
      logLikelihoodRatio: 9,
      pValue: 0.0001,
      interval: [0.025, 0.095],
      significant: true,
    },
    fixedHorizon: { statistic: 4, pValue: 0.00006, interval: [0.04, 0.08], significant: true },
    bayesian: {
      probabilityTreatmentBetter: 0.9999,
      expectedLoss: { chooseTreatment: 0.00001, chooseControl: 0.06 },
      relativeExpectedLoss: { chooseTreatment: 0.0001, chooseControl: 0.6 },
      credibleIntervals: { control: [0.082, 0.12], treatment: [0.138, 0.184] },
    },
    notes: [],
    ...overrides,
  };
}

export function decision(at: string, overrides: Partial<AbDecisionSummary> = {}): AbDecisionSummary {
  return {
    id: `d-${at}`,
    decidedAt: at,
    step: 0,
    action: 'hold',
    applied: true,
    reasons: ['waiting'],
    primary: { relativeChange: 0.5, sequentialInterval: [0.1, 0.9], pValue: 0.01, units: 1000 },
    ...overrides,
  };
}

export function report(overrides: Partial<AbReport> = {}): AbReport {
  const base: AbReport = {
    abTestId: 't1',
    name: 'clicks-ab',
    status: 'running',
    endpoint: 'clicks',
    primaryMetric: 'conversion',
    decisionRule: 'sequential',
    alpha: 0.05,
    steps: [0.05, 0.25, 0.5],
    currentStep: 1,
    coverage: 0.5,
    assignment: {
      hashVersion: 2,
      split: [
        { variant: 'control', weight: 0.5 },
        { variant: 'challenger', weight: 0.5 },
      ],
      rule: 'a unit is in the test when its coverage hash is below the coverage; its arm is fixed',
    },
    startedAt: '2026-12-02T12:00:00Z',
    endedAt: null,
    decision: null,
    decisionReasons: [],
    analysis: {
      variants: [
        {
          name: 'control',
          isControl: true,
          weight: 0.5,
          units: 1000,
          perStep: [
            { step: 0, units: 100 },
            { step: 1, units: 900 },
          ],
        },
        {
          name: 'challenger',
          isControl: false,
          weight: 0.5,
          units: 1000,
          perStep: [{ step: 1, units: 1000 }],
        },
      ],
      treatments: [
        {
          variant: 'challenger',
          primary: comparison(),
          guardrails: [
            {
              name: 'gateway error rate not higher by more than 0.01',
              metric: 'error_rate',
              direction: 'lower_is_better',
              margin: 0.01,
              control: 0.002,
              treatment: 0.003,
              difference: 0.001,
              bound: 0.004,
              breached: false,
              confirmedNonInferior: true,
            },
            {
              name: 'revenue not worse by more than 5.0%',
              metric: 'revenue',
              direction: 'higher_is_better',
              margin: 0.06,
              control: 1.2,
              treatment: 1.0,
              difference: -0.2,
              bound: -0.15,
              breached: true,
              confirmedNonInferior: false,
            },
          ],
          secondary: [
            comparison({
              metric: 'clicks',
              kind: 'mean',
              role: 'secondary',
              control: 2.5,
              treatment: 2.6,
              difference: 0.1,
              adjustedPValue: 0.02,
              bayesian: null,
            }),
          ],
          notes: [],
        },
      ],
      sampleRatioMismatch: {
        pValue: 0.4,
        logBayesFactor: 0.9,
        detected: false,
        chiSquare: { statistic: 0.25, pValue: 0.62 },
      },
      health: [
        {
          variant: 'control',
          requests: 12000,
          errorRate: 0.002,
          slowRate: 0.01,
          meanLatencyMs: 42.5,
          p99LatencyMs: 480,
        },
        {
          variant: 'challenger',
          requests: 0,
          errorRate: null,
          slowRate: null,
          meanLatencyMs: null,
          p99LatencyMs: null,
        },
      ],
      readout: {
        conversion: { control: 0.1, treatment: 0.16, relativeUplift: 0.6, interval: [0.4, 0.8] },
        revenuePerUnit: {
          control: 1.2,
          treatment: 1.35,
          difference: 0.15,
          interval: [-0.05, 0.35],
          relativeUplift: 0.125,
        },
        unitsPerHour: 83.3,
        projectedMonthlyImpact: { estimate: 9000.4, interval: [-3000, 21000] },
        probabilityLosesMoney: 0.07,
      },
      totalUnits: 2000,
    },
    plan: {
      baseline: 0.1,
      minimumDetectableEffect: { relative: 0.1, absolute: 0.01 },
      power: 0.8,
      alpha: 0.05,
      unitsPerHour: 100,
      sequential: { units: 40000, hours: 480, days: 20 },
      fixedHorizon: { units: 28000, hours: 336, days: 14 },
      maxDurationDays: 14,
      reachable: false,
      message: 'cannot reach 80% power within the maximum duration',
    },
    history: [
      decision('2026-12-03T10:00:00Z', {
        id: 'first',
        primary: null,
        reasons: ['waiting for 500 units per arm'],
      }),
      decision('2026-12-03T11:00:00Z', {
        id: 'second',
        primary: { relativeChange: 0.7, sequentialInterval: [-Infinity, Infinity], pValue: 1, units: 600 },
      }),
      decision('2026-12-03T12:00:00Z', { id: 'third', step: 1, action: 'advance' }),
    ],
  };
  return { ...base, ...overrides };
}

/** Every string a view holds, however deeply nested. */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

/** A report whose every number JSON could not carry: all null after the trip. */
export function degenerate(): AbReport {
  const inf = Infinity;
  const nan = NaN;
  const r = report();
  const t = r.analysis.treatments[0]!;
  t.primary = comparison({
    control: nan,
    treatment: nan,
    difference: nan,
    units: { control: nan, treatment: nan },
    relative: {
      estimate: nan,
      standardError: inf,
      sequentialInterval: [-inf, inf],
      fixedInterval: [-inf, inf],
    },
    cuped: { applied: true, varianceReduction: nan },
    sequential: {
      estimate: 0,
      standardError: inf,
      logLikelihoodRatio: 0,
      pValue: nan,
      interval: [-inf, inf],
      significant: false,
    },
    fixedHorizon: { statistic: nan, pValue: nan, interval: [-inf, inf], significant: false },
    bayesian: {
      probabilityTreatmentBetter: nan,
      expectedLoss: { chooseTreatment: nan, chooseControl: inf },
      relativeExpectedLoss: null,
      credibleIntervals: { control: [nan, nan], treatment: [0, inf] },
    },
  });
  t.guardrails = t.guardrails.map((g) => ({
    ...g,
    control: nan,
    treatment: nan,
    difference: nan,
    bound: -inf,
    margin: nan,
  }));
  t.secondary = [
    comparison({
      metric: 'clicks',
      kind: 'mean',
      relative: null,
      sequential: { ...comparison().sequential, pValue: nan, interval: [-inf, inf] },
      adjustedPValue: nan,
    }),
  ];
  r.alpha = nan;
  r.coverage = nan;
  r.currentStep = nan;
  r.steps = [inf, nan];
  r.assignment = { hashVersion: nan, split: [{ variant: 'control', weight: nan }], rule: '' };
  r.analysis.totalUnits = inf;
  r.analysis.variants = r.analysis.variants.map((v) => ({
    ...v,
    weight: nan,
    units: nan,
    perStep: [{ step: 0, units: nan }],
  }));
  r.analysis.sampleRatioMismatch = {
    pValue: nan,
    logBayesFactor: inf,
    detected: false,
    chiSquare: { statistic: nan, pValue: nan },
  };
  r.analysis.readout = {
    conversion: { control: nan, treatment: nan, relativeUplift: null, interval: null },
    revenuePerUnit: {
      control: nan,
      treatment: inf,
      difference: nan,
      interval: [-inf, inf],
      relativeUplift: null,
    },
    unitsPerHour: null,
    projectedMonthlyImpact: { estimate: nan, interval: [-inf, nan] },
    probabilityLosesMoney: null,
  };
  r.plan = {
    ...r.plan!,
    baseline: nan,
    power: nan,
    alpha: nan,
    unitsPerHour: inf,
    sequential: { units: inf, hours: inf, days: inf },
    fixedHorizon: { units: 0, hours: nan, days: nan },
    maxDurationDays: nan,
    minimumDetectableEffect: { relative: nan, absolute: nan },
  };
  r.history = [
    decision('not a date', {
      step: nan,
      primary: { relativeChange: nan, sequentialInterval: [-inf, inf], pValue: nan, units: nan },
    }),
  ];
  return r;
}
