/**
 * The analysis of an A/B test: one function that the rollout monitor decides on, the report
 * shows, the CLI prints and the dashboard draws, over the sufficient statistics the registry
 * keeps (per variant, traffic step and metric: units, sums, sums of squares, covariate sums;
 * per variant and step: the gateway's requests, errors and slow requests).
 *
 * For each treatment against the control and each metric it gives
 *   - the post-stratified difference (stratified-estimate.ts), CUPED-adjusted where units have a
 *     pre-exposure covariate (cuped.ts), and the relative change (delta method);
 *   - the always-valid sequential test and confidence sequence (msprt.ts), valid however often
 *     it is looked at, with the mixture set from the planned minimum detectable effect;
 *   - the fixed-horizon Wald test and interval (valid for one planned look only);
 *   - the Bayesian view: exact beta-binomial P(treatment > control) and expected losses for
 *     proportions, a normal posterior for means (beta-binomial.ts, normal-posterior.ts);
 * then the guardrails (one-sided sequential non-inferiority tests with their own margins), the
 * secondary metrics corrected for multiple comparisons (Holm or Benjamini–Hochberg; guardrails
 * outside that family, as GrowthBook does), the sequential sample-ratio-mismatch test
 * (sequential-srm.ts) and the business readout (revenue per unit, uplift, projected monthly
 * impact, probability of losing money).
 *
 * `detail: 'decision'` leaves out what the decision rule in force does not read (the Bayesian
 * integrals under a frequentist rule): the seeded simulations call this function millions of times.
 */
import { conversionPosterior, expectedLoss, probabilityBBeatsA } from './beta-binomial.ts';
import type { CovariateArm } from './cuped.ts';
import { msprt, nonInferiority, type SequentialResult } from './msprt.ts';
import { benjaminiHochberg, holm } from './multiple-testing.ts';
import { normalCdf, normalQuantile } from './normal-distribution.ts';
import { normalComparison } from './normal-posterior.ts';
import {
  businessGuardrailMetric,
  metricKind,
  type MetricKind,
  type RolloutPolicy,
} from './rollout-policy.ts';
import { sequentialSrm } from './sequential-srm.ts';
import { sampleRatioMismatch } from './statistics.ts';
import {
  relativeChange,
  stratifiedDifference,
  type ArmCell,
  type StratifiedDifference,
} from './stratified-estimate.ts';

/** One row of the registry's sufficient statistics (AbStat). */
export interface MetricCell extends CovariateArm {
  variant: string;
  step: number;
  metric: string;
}

/** The gateway's request health of an arm at a step (AbRequestStat): the error-rate and latency guardrails. */
export interface RequestTotals {
  requests: number;
  errors: number;
  slow: number;
  latencySumMs: number;
  /** Counts per latency bucket (bounds in LATENCY_BUCKETS_MS; the last bucket is open-ended). */
  latencyHistogram: number[];
}

export interface RequestCell extends RequestTotals {
  variant: string;
  step: number;
}

export interface AbTestData {
  variants: Array<{ name: string; isControl: boolean; weight: number }>;
  metrics: MetricCell[];
  requests: RequestCell[];
  /** The test's running time so far (traffic projections); 0 when unknown. */
  elapsedMs: number;
  /** Share of all units included at the current step (projections to the whole endpoint). */
  coverage: number;
}

/** Upper bounds (ms) of the gateway's latency buckets; one more bucket holds everything slower. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export interface FixedHorizonResult {
  statistic: number;
  pValue: number;
  interval: [number, number];
  significant: boolean;
}

export interface BayesianResult {
  probabilityTreatmentBetter: number;
  /** Expected loss of each choice, in the metric's units (and relative to the control's mean). */
  expectedLoss: { chooseTreatment: number; chooseControl: number };
  relativeExpectedLoss: { chooseTreatment: number; chooseControl: number } | null;
  /** 95% credible intervals of each arm's mean (proportions only). */
  credibleIntervals?: { control: [number, number]; treatment: [number, number] };
}

export interface MetricComparison {
  metric: string;
  kind: MetricKind;
  role: 'primary' | 'guardrail' | 'secondary';
  units: { control: number; treatment: number };
  control: number;
  treatment: number;
  difference: number;
  relative: {
    estimate: number;
    standardError: number;
    sequentialInterval: [number, number];
    fixedInterval: [number, number];
  } | null;
  cuped: { applied: boolean; varianceReduction: number };
  sequential: SequentialResult;
  fixedHorizon: FixedHorizonResult;
  bayesian: BayesianResult | null;
  /** Secondary metrics: the sequential p-value after the policy's correction. */
  adjustedPValue?: number;
  notes: string[];
}

export interface GuardrailResult {
  name: string;
  metric: string;
  direction: 'higher_is_better' | 'lower_is_better';
  /** Absolute margin of the non-inferiority test (relative margins are scaled by the control's mean). */
  margin: number;
  control: number;
  treatment: number;
  difference: number;
  bound: number;
  /** Worse than the margin with confidence: rolls back. */
  breached: boolean;
  /** Not worse than the margin with confidence. */
  confirmedNonInferior: boolean;
}

export interface ArmHealth {
  variant: string;
  requests: number;
  errorRate: number | null;
  slowRate: number | null;
  meanLatencyMs: number | null;
  p99LatencyMs: number | null;
}

export interface TreatmentAnalysis {
  variant: string;
  primary: MetricComparison | null;
  guardrails: GuardrailResult[];
  secondary: MetricComparison[];
  notes: string[];
}

export interface BusinessReadout {
  conversion: {
    control: number;
    treatment: number;
    relativeUplift: number | null;
    interval: [number, number] | null;
  } | null;
  revenuePerUnit: {
    control: number;
    treatment: number;
    difference: number;
    interval: [number, number];
    relativeUplift: number | null;
  } | null;
  /** Units per hour of the whole endpoint, from the test's own traffic. */
  unitsPerHour: number | null;
  projectedMonthlyImpact: { estimate: number; interval: [number, number] } | null;
  probabilityLosesMoney: number | null;
}

export interface AbAnalysis {
  variants: Array<{
    name: string;
    isControl: boolean;
    weight: number;
    units: number;
    perStep: Array<{ step: number; units: number }>;
  }>;
  treatments: TreatmentAnalysis[];
  sampleRatioMismatch: {
    /** Sequential (Dirichlet–multinomial) test over the strata: what the decision reads. */
    pValue: number;
    logBayesFactor: number;
    detected: boolean;
    /** Pearson's chi-square over all units, for display only (not valid under repeated looks). */
    chiSquare: { statistic: number; pValue: number };
  };
  health: ArmHealth[];
  readout: BusinessReadout;
  totalUnits: number;
}

const HOURS_PER_MONTH = 24 * 30;

export function analyseAbTest(
  data: AbTestData,
  policy: RolloutPolicy,
  options: { detail?: 'full' | 'decision' } = {},
): AbAnalysis {
  const detail = options.detail ?? 'full';
  const control = data.variants.find((v) => v.isControl);
  if (!control) throw new RangeError('an A/B test needs a control variant');
  const steps = [...new Set([...data.metrics.map((c) => c.step), ...data.requests.map((c) => c.step)])].sort(
    (a, b) => a - b,
  );
  const cellsOf = indexCells(data.metrics);
  const unitsOf = (variant: string, step: number) =>
    cellsOf.get(key(variant, step, policy.metric))?.units ?? maxUnits(data.metrics, variant, step);

  const variants = data.variants.map((v) => {
    const perStep = steps.map((step) => ({ step, units: unitsOf(v.name, step) }));
    return { ...v, units: perStep.reduce((sum, s) => sum + s.units, 0), perStep };
  });
  const totalUnits = variants.reduce((sum, v) => sum + v.units, 0);

  const armCells = (variant: string, metric: string): Map<number, ArmCell> =>
    new Map(
      steps.map((step) => {
        const cell = cellsOf.get(key(variant, step, metric));
        const units = unitsOf(variant, step);
        return [
          step,
          cell
            ? { ...cell, units }
            : { units, sum: 0, sumSquares: 0, covariateSum: 0, covariateSumSquares: 0, crossSum: 0 },
        ] as const;
      }),
    );

  const compare = (
    treatment: string,
    metric: string,
    role: MetricComparison['role'],
  ): MetricComparison | null => {
    const kind = metricKind(policy, metric);
    const c = armCells(control.name, metric);
    const t = armCells(treatment, metric);
    const strata = steps.map((step) => ({ control: c.get(step)!, treatment: t.get(step)! }));
    const estimate = stratifiedDifference(strata, { cuped: policy.cuped.enabled });
    if (!estimate) return null;
    const wantBayes = detail === 'full' || (role === 'primary' && policy.decisionRule === 'bayesian');
    return compareMetric(estimate, {
      metric,
      kind,
      role,
      policy,
      wantBayes,
      full: detail === 'full',
      pooled: { control: pooledArm(c), treatment: pooledArm(t) },
    });
  };

  const treatments = data.variants
    .filter((v) => !v.isControl)
    .map((treatment): TreatmentAnalysis => {
      const notes: string[] = [];
      const primary = compare(treatment.name, policy.metric, 'primary');
      if (!primary) notes.push(`${policy.metric}: needs at least 2 exposed units per arm in a traffic step`);
      const guardrails = guardrailsOf(policy, treatment.name, control.name, data.requests, (metric) =>
        compare(treatment.name, metric, 'guardrail'),
      );
      const secondary = policy.secondaryMetrics
        .filter((m) => m.name !== policy.metric)
        .map((m) => compare(treatment.name, m.name, 'secondary'))
        .filter((m): m is MetricComparison => m !== null);
      if (secondary.length > 0) {
        const correct = policy.multipleTesting === 'holm' ? holm : benjaminiHochberg;
        const { adjusted } = correct(
          secondary.map((m) => m.sequential.pValue),
          policy.alpha,
        );
        secondary.forEach((m, i) => (m.adjustedPValue = adjusted[i]!));
      }
      return { variant: treatment.name, primary, guardrails, secondary, notes };
    });

  const srmStrata = steps
    .map((step) => ({
      observed: variants.map((v) => unitsOf(v.name, step)),
      weights: variants.map((v) => v.weight),
    }))
    .filter((s) => s.observed.some((n) => n > 0));
  const srm = sequentialSrm(srmStrata, { alpha: policy.srmAlpha });
  const chiSquare =
    detail === 'full'
      ? sampleRatioMismatch(
          variants.map((v) => v.units),
          variants.map((v) => v.weight),
        )
      : { statistic: 0, pValue: 1 };

  return {
    variants,
    treatments,
    sampleRatioMismatch: {
      pValue: srm.pValue,
      logBayesFactor: srm.logBayesFactor,
      detected: srm.detected,
      chiSquare,
    },
    health: detail === 'full' ? data.variants.map((v) => armHealth(v.name, data.requests)) : [],
    readout:
      detail === 'full'
        ? businessReadout(data, totalUnits, (metric) =>
            compare(treatments[0]?.variant ?? '', metric, 'secondary'),
          )
        : emptyReadout(),
    totalUnits,
  };
}

function compareMetric(
  estimate: StratifiedDifference,
  ctx: {
    metric: string;
    kind: MetricKind;
    role: MetricComparison['role'];
    policy: RolloutPolicy;
    wantBayes: boolean;
    full: boolean;
    pooled: { control: ArmCell; treatment: ArmCell };
  },
): MetricComparison {
  const { policy } = ctx;
  const notes: string[] = [];
  // τ = MDE on the difference's scale: the planned relative effect times the control's mean.
  const scale =
    Math.abs(estimate.controlMean) > 0 ? Math.abs(estimate.controlMean) : Math.abs(estimate.treatmentMean);
  const mixingVariance = (policy.minimumDetectableEffect * scale) ** 2;
  const sequential = msprt({
    estimate: estimate.difference,
    variance: estimate.variance,
    mixingVariance: mixingVariance > 0 ? mixingVariance : 1,
    alpha: policy.alpha,
  });
  const fixedHorizon = waldTest(estimate.difference, estimate.variance, policy.alpha);
  const rel = relativeChange(estimate);
  let relative: MetricComparison['relative'] = null;
  if (rel && estimate.controlMean !== 0) {
    const se = Math.sqrt(rel.variance);
    const mu = estimate.controlMean;
    const z = normalQuantile(1 - policy.alpha / 2);
    relative = {
      estimate: rel.estimate,
      standardError: se,
      // The difference's confidence sequence over the control's mean: the control's own noise is
      // left out of this scale change (it is small next to the difference's at any useful size).
      sequentialInterval: [sequential.interval[0] / mu, sequential.interval[1] / mu].sort(
        (a, b) => a - b,
      ) as [number, number],
      fixedInterval: [rel.estimate - z * se, rel.estimate + z * se],
    };
  } else notes.push(`${ctx.metric}: the control's mean is 0, so there is no relative change`);
  if (estimate.unitsLeftOut > 0)
    notes.push(
      `${estimate.unitsLeftOut} units are in traffic steps with fewer than 2 units in an arm and not yet counted`,
    );

  let bayesian: BayesianResult | null = null;
  if (ctx.wantBayes) {
    if (ctx.kind === 'proportion') {
      // Beta(1, 1) priors; the credible intervals (a bisection each) only where they are shown.
      const posterior = (arm: ArmCell) =>
        ctx.full
          ? conversionPosterior({ units: arm.units, conversions: arm.sum })
          : {
              alpha: 1 + arm.sum,
              beta: 1 + arm.units - arm.sum,
              mean: (1 + arm.sum) / (2 + arm.units),
              interval: null,
            };
      const c = posterior(ctx.pooled.control);
      const t = posterior(ctx.pooled.treatment);
      const loss = expectedLoss(c, t);
      const chooseTreatment = loss.chooseB;
      const chooseControl = loss.chooseA;
      bayesian = {
        probabilityTreatmentBetter: probabilityBBeatsA(c, t),
        expectedLoss: { chooseTreatment, chooseControl },
        relativeExpectedLoss:
          c.mean > 0
            ? { chooseTreatment: chooseTreatment / c.mean, chooseControl: chooseControl / c.mean }
            : null,
        ...(c.interval && t.interval
          ? { credibleIntervals: { control: c.interval, treatment: t.interval } }
          : {}),
      };
    } else {
      const posterior = normalComparison({
        difference: estimate.difference,
        standardError: Math.sqrt(estimate.variance),
      });
      const mu = Math.abs(estimate.controlMean);
      bayesian = {
        probabilityTreatmentBetter: posterior.probabilityPositive,
        expectedLoss: {
          chooseTreatment: posterior.expectedLossIfChooseTreatment,
          chooseControl: posterior.expectedLossIfChooseControl,
        },
        relativeExpectedLoss:
          mu > 0
            ? {
                chooseTreatment: posterior.expectedLossIfChooseTreatment / mu,
                chooseControl: posterior.expectedLossIfChooseControl / mu,
              }
            : null,
      };
    }
  }
  return {
    metric: ctx.metric,
    kind: ctx.kind,
    role: ctx.role,
    units: estimate.units,
    control: estimate.controlMean,
    treatment: estimate.treatmentMean,
    difference: estimate.difference,
    relative,
    cuped: { applied: estimate.varianceReduction !== 0, varianceReduction: estimate.varianceReduction },
    sequential,
    fixedHorizon,
    bayesian,
    notes,
  };
}

/** Wald z-test of an asymptotically normal estimate (for one planned look). */
function waldTest(estimate: number, variance: number, alpha: number): FixedHorizonResult {
  const se = Math.sqrt(variance);
  if (!(se > 0)) return { statistic: 0, pValue: 1, interval: [estimate, estimate], significant: false };
  const statistic = estimate / se;
  const pValue = 2 * normalCdf(-Math.abs(statistic));
  const z = normalQuantile(1 - alpha / 2);
  return { statistic, pValue, interval: [estimate - z * se, estimate + z * se], significant: pValue < alpha };
}

function guardrailsOf(
  policy: RolloutPolicy,
  treatment: string,
  control: string,
  requests: RequestCell[],
  compare: (metric: string) => MetricComparison | null,
): GuardrailResult[] {
  const out: GuardrailResult[] = [];
  const { guardrails } = policy;
  const business = businessGuardrailMetric(policy);
  if (business && guardrails.businessMetric !== false) {
    const m = compare(business);
    if (m) {
      const margin = guardrails.businessMetric.margin * Math.abs(m.control);
      if (margin > 0)
        out.push(
          guardrail(
            `${business} not worse by more than ${(guardrails.businessMetric.margin * 100).toFixed(1)}%`,
            business,
            'higher_is_better',
            margin,
            m.control,
            m.treatment,
            m.difference,
            m.sequential.standardError ** 2,
            guardrails.alpha,
          ),
        );
    }
  }
  const perRequest = (name: string, field: 'errors' | 'slow', margin: number) => {
    const c = requestTotals(requests, control);
    const t = requestTotals(requests, treatment);
    if (c.requests < 2 || t.requests < 2) return;
    const pc = c[field] / c.requests;
    const pt = t[field] / t.requests;
    // Requests as the sample: the arms' rates of failing (or slow) requests, each binomial. The
    // variance uses Agresti–Caffo's adjusted rates ((x + 1)/(n + 2), Agresti & Caffo 2000):
    // error rates sit at 0 or 1, where the plain estimate p(1 − p)/n is 0 and would say nothing.
    const adjusted = (x: number, n: number) => (x + 1) / (n + 2);
    const ac = adjusted(c[field], c.requests);
    const at = adjusted(t[field], t.requests);
    const variance = (ac * (1 - ac)) / (c.requests + 2) + (at * (1 - at)) / (t.requests + 2);
    out.push(
      guardrail(
        name,
        field === 'errors' ? 'error_rate' : 'slow_requests',
        'lower_is_better',
        margin,
        pc,
        pt,
        pt - pc,
        variance,
        guardrails.alpha,
      ),
    );
  };
  if (guardrails.errorRate !== false)
    perRequest(
      `gateway error rate not higher by more than ${guardrails.errorRate.margin}`,
      'errors',
      guardrails.errorRate.margin,
    );
  if (guardrails.slowRequests !== false) {
    perRequest(
      `requests slower than ${guardrails.slowRequests.thresholdMs} ms not more frequent by more than ${guardrails.slowRequests.margin}`,
      'slow',
      guardrails.slowRequests.margin,
    );
  }
  return out;
}

function guardrail(
  name: string,
  metric: string,
  direction: GuardrailResult['direction'],
  margin: number,
  control: number,
  treatment: number,
  difference: number,
  variance: number,
  alpha: number,
): GuardrailResult {
  // A zero variance (no failures in either arm yet) gives no evidence either way.
  const result =
    variance > 0
      ? nonInferiority({
          estimate: difference,
          variance,
          mixingVariance: margin ** 2,
          alpha,
          margin,
          direction,
        })
      : { breached: false, confirmedNonInferior: false, bound: difference };
  return {
    name,
    metric,
    direction,
    margin,
    control,
    treatment,
    difference,
    bound: result.bound,
    breached: result.breached,
    confirmedNonInferior: result.confirmedNonInferior,
  };
}

function requestTotals(requests: RequestCell[], variant: string) {
  const t = {
    requests: 0,
    errors: 0,
    slow: 0,
    latencySumMs: 0,
    histogram: LATENCY_BUCKETS_MS.map(() => 0).concat(0),
  };
  for (const r of requests) {
    if (r.variant !== variant) continue;
    t.requests += r.requests;
    t.errors += r.errors;
    t.slow += r.slow;
    t.latencySumMs += r.latencySumMs;
    r.latencyHistogram.forEach((n, i) => {
      if (i < t.histogram.length) t.histogram[i]! += n;
    });
  }
  return t;
}

function armHealth(variant: string, requests: RequestCell[]): ArmHealth {
  const t = requestTotals(requests, variant);
  if (t.requests === 0)
    return { variant, requests: 0, errorRate: null, slowRate: null, meanLatencyMs: null, p99LatencyMs: null };
  return {
    variant,
    requests: t.requests,
    errorRate: t.errors / t.requests,
    slowRate: t.slow / t.requests,
    meanLatencyMs: t.latencySumMs / t.requests,
    p99LatencyMs: histogramQuantile(t.histogram, 0.99),
  };
}

/** The bucket bound at which the cumulative count reaches q (as Prometheus' histogram_quantile, linear within the bucket). */
export function histogramQuantile(histogram: number[], q: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i]!;
    if (cumulative + count >= rank && count > 0) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const upper = LATENCY_BUCKETS_MS[i];
      if (upper === undefined) return lower; // the open bucket: its lower bound is all that is known
      return lower + ((upper - lower) * (rank - cumulative)) / count;
    }
    cumulative += count;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
}

function businessReadout(
  data: AbTestData,
  totalUnits: number,
  compare: (metric: string) => MetricComparison | null,
): BusinessReadout {
  const conversion = compare('conversion');
  // No revenue recorded in either arm: there is nothing to read out (rather than "±0, P(loss) 50%").
  const recorded = data.metrics.some((c) => c.metric === 'revenue' && c.sumSquares > 0);
  const revenue = recorded ? compare('revenue') : null;
  const hours = data.elapsedMs / 3_600_000;
  const unitsPerHour = hours > 0 && data.coverage > 0 ? totalUnits / hours / data.coverage : null;
  const z = normalQuantile(0.975);
  const revenueInterval = revenue
    ? ([
        revenue.difference - z * revenue.sequential.standardError,
        revenue.difference + z * revenue.sequential.standardError,
      ] as [number, number])
    : null;
  const monthlyUnits = unitsPerHour === null ? null : unitsPerHour * HOURS_PER_MONTH;
  return {
    conversion: conversion
      ? {
          control: conversion.control,
          treatment: conversion.treatment,
          relativeUplift: conversion.relative?.estimate ?? null,
          interval: conversion.relative?.fixedInterval ?? null,
        }
      : null,
    revenuePerUnit:
      revenue && revenueInterval
        ? {
            control: revenue.control,
            treatment: revenue.treatment,
            difference: revenue.difference,
            interval: revenueInterval,
            relativeUplift: revenue.relative?.estimate ?? null,
          }
        : null,
    unitsPerHour,
    // If everyone got the treatment: the revenue difference per unit times a month of the endpoint's units.
    projectedMonthlyImpact:
      revenue && revenueInterval && monthlyUnits !== null
        ? {
            estimate: revenue.difference * monthlyUnits,
            interval: [revenueInterval[0] * monthlyUnits, revenueInterval[1] * monthlyUnits],
          }
        : null,
    probabilityLosesMoney: revenue?.bayesian ? 1 - revenue.bayesian.probabilityTreatmentBetter : null,
  };
}

function emptyReadout(): BusinessReadout {
  return {
    conversion: null,
    revenuePerUnit: null,
    unitsPerHour: null,
    projectedMonthlyImpact: null,
    probabilityLosesMoney: null,
  };
}

function pooledArm(cells: Map<number, ArmCell>): ArmCell {
  const arm = { units: 0, sum: 0, sumSquares: 0, covariateSum: 0, covariateSumSquares: 0, crossSum: 0 };
  for (const c of cells.values()) {
    arm.units += c.units;
    arm.sum += c.sum;
    arm.sumSquares += c.sumSquares;
    arm.covariateSum += c.covariateSum;
    arm.covariateSumSquares += c.covariateSumSquares;
    arm.crossSum += c.crossSum;
  }
  return arm;
}

const key = (variant: string, step: number, metric: string) => `${variant}\u0000${step}\u0000${metric}`;

function indexCells(cells: MetricCell[]): Map<string, MetricCell> {
  return new Map(cells.map((c) => [key(c.variant, c.step, c.metric), c]));
}

/** Units of a variant at a step when its primary metric has no row yet: every tracked metric's row counts the same units. */
function maxUnits(cells: MetricCell[], variant: string, step: number): number {
  let units = 0;
  for (const c of cells) if (c.variant === variant && c.step === step && c.units > units) units = c.units;
  return units;
}

export type { SequentialResult };
