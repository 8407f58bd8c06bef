/**
 * What the A/B test page shows of GET /ab-tests/:id/report (`AbReport` from
 * @lathe/experiments: the test, the analysis the rollout monitor decides on, the plan and the
 * history of the monitor's looks), every number already formatted. Pure.
 *
 * The report arrives as JSON, which writes Infinity and NaN as null: an always-valid interval
 * with no information yet is `[null, null]`, a standard error with no variance is null. `Wire`
 * says so in the types, so every number here is read as possibly null, and nothing renders
 * NaN or undefined: what is not a finite number shows as "—" (or ±∞ for an interval's bound).
 */
import type {
  AbDecisionSummary,
  AbReport,
  GuardrailResult,
  MetricComparison,
  MetricKind,
} from '@lathe/experiments';
import type { AbTest } from '@lathe/contract';
import { intervalSeries, type IntervalChartData } from '../charts/interval-series.ts';
import {
  durationBetween,
  formatDurationMs,
  formatMetric,
  formatPercent,
  formatPointDelta,
  formatPValue,
  formatRelative,
  formatTimestamp,
} from '../format/format.ts';

/** A shape as it comes out of JSON.parse: every number may be null (non-finite ones are). */
export type Wire<T> = T extends number
  ? number | null
  : T extends string | boolean | null | undefined
    ? T
    : { [K in keyof T]: Wire<T[K]> };

export type AbReportWire = Wire<AbReport>;
type ComparisonWire = Wire<MetricComparison>;
type GuardrailWire = Wire<GuardrailResult>;
type DecisionWire = Wire<AbDecisionSummary>;
type IntervalWire = readonly [number | null, number | null] | null | undefined;

const DASH = '—';

// ---------------------------------------------------------------------------------------------
// Numbers

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

const finite = (v: number | null | undefined): number | null => (isFiniteNumber(v) ? v : null);

/** A count of units or requests: "1,234". */
export function formatCount(v: number | null | undefined): string {
  return isFiniteNumber(v) ? Math.round(v).toLocaleString('en-US') : DASH;
}

/** A share with at most one decimal: 0.05 → "5%", 0.125 → "12.5%". */
export function formatShare(v: number | null | undefined): string {
  if (!isFiniteNumber(v)) return DASH;
  return `${Number((v * 100).toFixed(1))}%`;
}

/** A signed value in the metric's own units: "+0.0312", "−12". */
export function formatSigned(v: number | null | undefined): string {
  if (!isFiniteNumber(v)) return DASH;
  const sign = v > 0 ? '+' : v < 0 ? '−' : '±';
  return `${sign}${formatMetric(Math.abs(v))}`;
}

/** An amount of money or units (no currency is known): whole numbers grouped from 1,000 on. */
export function formatAmount(v: number | null | undefined, signed = false): string {
  if (!isFiniteNumber(v)) return DASH;
  const sign = signed ? (v > 0 ? '+' : v < 0 ? '−' : '±') : v < 0 ? '−' : '';
  const m = Math.abs(v);
  return `${sign}${m >= 1000 ? Math.round(m).toLocaleString('en-US') : formatMetric(m)}`;
}

/** Unsigned percentage points (a margin or a loss on a rate): 0.01 → "1.00 pp". */
export function formatPoints(v: number | null | undefined): string {
  if (!isFiniteNumber(v)) return DASH;
  const points = Math.abs(v) * 100;
  // Small losses stay visible: 0.00001 → "0.001 pp", not "0.00 pp".
  return `${points === 0 || points >= 0.01 ? points.toFixed(2) : formatMetric(points)} pp`;
}

export function formatMs(v: number | null | undefined): string {
  return isFiniteNumber(v) ? `${formatMetric(v)} ms` : DASH;
}

export function formatDays(v: number | null | undefined): string {
  return isFiniteNumber(v) ? `${v.toFixed(1)} days` : DASH;
}

/**
 * An interval as "[a, b]". A bound that is not a finite number is unbounded on its side (JSON
 * turns ±Infinity into null): "[−∞, +2.0%]". No interval at all is "—".
 */
export function formatInterval(interval: IntervalWire, format: (v: number) => string): string {
  if (!Array.isArray(interval) || interval.length < 2) return DASH;
  const [lo, hi] = interval;
  return `[${isFiniteNumber(lo) ? format(lo) : '−∞'}, ${isFiniteNumber(hi) ? format(hi) : '+∞'}]`;
}

/** A value with its interval: "+3.1% [−0.4%, +6.8%]"; the interval is left out when absent. */
export function withInterval(
  value: number | null | undefined,
  interval: IntervalWire,
  format: (v: number) => string,
): string {
  const head = isFiniteNumber(value) ? format(value) : DASH;
  return Array.isArray(interval) ? `${head} ${formatInterval(interval, format)}` : head;
}

/** How a metric's means and differences read: rates as percentages and points, means as numbers. */
export function metricFormat(kind: MetricKind | string | null | undefined): {
  value: (v: number | null | undefined) => string;
  difference: (v: number | null | undefined) => string;
  magnitude: (v: number | null | undefined) => string;
} {
  return kind === 'proportion'
    ? { value: (v) => formatPercent(v, 2), difference: formatPointDelta, magnitude: formatPoints }
    : {
        value: formatMetric,
        difference: formatSigned,
        magnitude: (v) => (isFiniteNumber(v) ? formatMetric(Math.abs(v)) : DASH),
      };
}

const signedRelative = (v: number) => formatRelative(v);

/** "95% " for α = 0.05 (with its space, to sit before "interval"); "" when α is unknown. */
function levelOf(alpha: number | null | undefined): string {
  return isFiniteNumber(alpha) ? `${Number(((1 - alpha) * 100).toFixed(1))}% ` : '';
}

// ---------------------------------------------------------------------------------------------
// The report's shape

/** Whether a response has the shape of the new report (an older API sends a different one). */
export function isAbReport(data: unknown): data is AbReportWire {
  if (typeof data !== 'object' || data === null) return false;
  const r = data as Record<string, unknown>;
  const analysis = r.analysis as Record<string, unknown> | null | undefined;
  return (
    typeof r.name === 'string' &&
    Array.isArray(r.steps) &&
    Array.isArray(r.history) &&
    typeof analysis === 'object' &&
    analysis !== null &&
    Array.isArray(analysis.treatments) &&
    Array.isArray(analysis.variants)
  );
}

/** The treatment the rollout is about: the first (and in practice only) one. */
function treatmentOf(report: AbReportWire) {
  return report.analysis.treatments[0] ?? null;
}

function controlName(report: AbReportWire): string {
  return report.analysis.variants.find((v) => v.isControl)?.name ?? 'control';
}

/** Reasons are stored as JSON; show strings as they are and anything else as JSON. */
export function reasonLines(reasons: unknown): string[] {
  if (reasons === null || reasons === undefined) return [];
  const list = Array.isArray(reasons) ? reasons : [reasons];
  return list.map((r) => {
    if (typeof r === 'string') return r;
    if (typeof r === 'object' && r !== null && typeof (r as { message?: unknown }).message === 'string')
      return (r as { message: string }).message;
    return JSON.stringify(r);
  });
}

// ---------------------------------------------------------------------------------------------
// 1. Header

export interface HeaderView {
  name: string;
  status: string;
  endpoint: string;
  primaryMetric: string;
  decisionRule: string;
  alpha: string;
  /** "step 2 of 3". */
  step: string;
  /** The treatment's share of all traffic at the current step. */
  treatmentShare: string;
  coverage: string;
  /** "5% → 25% → 50%". */
  steps: string;
  split: string;
  rule: string;
  hashVersion: string;
  treatment: string;
  started: string;
  ended: string;
  elapsed: string;
  decision: string | null;
  decisionReasons: string[];
}

export function headerView(report: AbReportWire, now: number): HeaderView {
  const steps = report.steps ?? [];
  const current = isFiniteNumber(report.currentStep) ? report.currentStep : null;
  const split = report.assignment?.split ?? [];
  const totalWeight = split.reduce((sum, s) => sum + (finite(s.weight) ?? 0), 0);
  return {
    name: report.name,
    status: report.status,
    endpoint: report.endpoint,
    primaryMetric: report.primaryMetric,
    decisionRule: report.decisionRule,
    alpha: isFiniteNumber(report.alpha) ? String(report.alpha) : DASH,
    step: current === null ? DASH : `step ${current + 1} of ${steps.length}`,
    treatmentShare: current === null ? DASH : formatShare(steps[current]),
    coverage: formatShare(report.coverage),
    steps: steps.length ? steps.map((s) => formatShare(s)).join(' → ') : DASH,
    split: split.length
      ? split
          .map(
            (s) =>
              `${s.variant} ${formatShare(totalWeight > 0 && isFiniteNumber(s.weight) ? s.weight / totalWeight : null)}`,
          )
          .join(' · ')
      : DASH,
    rule: report.assignment?.rule || DASH,
    hashVersion: isFiniteNumber(report.assignment?.hashVersion) ? `v${report.assignment.hashVersion}` : DASH,
    treatment: treatmentOf(report)?.variant ?? DASH,
    started: formatTimestamp(report.startedAt),
    ended: formatTimestamp(report.endedAt),
    elapsed: formatDurationMs(durationBetween(report.startedAt, report.endedAt, now)),
    decision: report.decision,
    decisionReasons: reasonLines(report.decisionReasons),
  };
}

// ---------------------------------------------------------------------------------------------
// 2. Primary metric

export type PrimaryVerdict = 'better' | 'worse' | 'inconclusive';

/** Better or worse with confidence when the always-valid interval of the difference excludes 0 (the monitor's sequential rule). */
export function sequentialVerdict(interval: IntervalWire): PrimaryVerdict {
  if (!Array.isArray(interval)) return 'inconclusive';
  const [lo, hi] = interval;
  if (isFiniteNumber(lo) && lo > 0) return 'better';
  if (isFiniteNumber(hi) && hi < 0) return 'worse';
  return 'inconclusive';
}

/** Positions (0..1) of an interval's ends and of 0 on a scale symmetric around 0; an unbounded end runs to the edge. */
export function intervalBar(
  interval: IntervalWire,
  extentOf: readonly IntervalWire[] = [interval],
): { left: number; right: number; zero: number } | null {
  if (!Array.isArray(interval)) return null;
  let extent = 0;
  for (const iv of extentOf) {
    if (!Array.isArray(iv)) continue;
    for (const b of iv) if (isFiniteNumber(b)) extent = Math.max(extent, Math.abs(b));
  }
  const half = extent > 0 ? extent * 1.1 : 1;
  const at = (x: number) => Math.min(1, Math.max(0, (x + half) / (2 * half)));
  const [lo, hi] = interval;
  return { left: isFiniteNumber(lo) ? at(lo) : 0, right: isFiniteNumber(hi) ? at(hi) : 1, zero: at(0) };
}

export interface PrimaryView {
  metric: string;
  kind: string;
  control: string;
  treatment: string;
  arms: Array<{ variant: string; role: 'control' | 'treatment'; units: string; mean: string }>;
  difference: string;
  relativeLift: string;
  /** Always-valid (confidence sequence) interval of the relative lift, or of the difference when there is no relative change. */
  sequentialInterval: string;
  fixedInterval: string;
  /** The same two intervals on the difference's scale. */
  sequentialDifferenceInterval: string;
  fixedDifferenceInterval: string;
  sequentialPValue: string;
  fixedPValue: string;
  cuped: string;
  unitsPerArm: string;
  verdict: PrimaryVerdict;
  verdictText: string;
  bar: { left: number; right: number; zero: number } | null;
  notes: string[];
}

export function primaryView(report: AbReportWire): PrimaryView | null {
  const treatment = treatmentOf(report);
  const m = treatment?.primary;
  if (!treatment || !m) return null;
  const control = controlName(report);
  const f = metricFormat(m.kind);
  const rel = m.relative;
  const seqAbs = m.sequential?.interval ?? null;
  const fixedAbs = m.fixedHorizon?.interval ?? null;
  const verdict = sequentialVerdict(seqAbs);
  const level = levelOf(report.alpha);
  const shown = rel ? rel.sequentialInterval : seqAbs;
  const reduction = finite(m.cuped?.varianceReduction);
  return {
    metric: m.metric,
    kind: m.kind,
    control,
    treatment: treatment.variant,
    arms: [
      { variant: control, role: 'control', units: formatCount(m.units?.control), mean: f.value(m.control) },
      {
        variant: treatment.variant,
        role: 'treatment',
        units: formatCount(m.units?.treatment),
        mean: f.value(m.treatment),
      },
    ],
    difference: f.difference(m.difference),
    relativeLift: formatRelative(rel?.estimate),
    sequentialInterval: rel
      ? formatInterval(rel.sequentialInterval, signedRelative)
      : formatInterval(seqAbs, (v) => f.difference(v)),
    fixedInterval: rel
      ? formatInterval(rel.fixedInterval, signedRelative)
      : formatInterval(fixedAbs, (v) => f.difference(v)),
    sequentialDifferenceInterval: formatInterval(seqAbs, (v) => f.difference(v)),
    fixedDifferenceInterval: formatInterval(fixedAbs, (v) => f.difference(v)),
    sequentialPValue: formatPValue(m.sequential?.pValue),
    fixedPValue: formatPValue(m.fixedHorizon?.pValue),
    cuped: m.cuped?.applied
      ? `applied: ${reduction === null ? DASH : formatPercent(reduction, 1)} lower variance`
      : 'not applied (no pre-exposure data)',
    unitsPerArm: `${control} ${formatCount(m.units?.control)} · ${treatment.variant} ${formatCount(m.units?.treatment)}`,
    verdict,
    verdictText:
      verdict === 'better'
        ? `${treatment.variant} is better with confidence: the always-valid ${level}interval excludes 0`
        : verdict === 'worse'
          ? `${treatment.variant} is worse with confidence: the always-valid ${level}interval excludes 0`
          : `no verdict yet: the always-valid ${level}interval includes 0`,
    bar: intervalBar(shown, [shown, rel ? rel.fixedInterval : fixedAbs, [finite(rel?.estimate), null]]),
    notes: [...(treatment.notes ?? []), ...(m.notes ?? [])],
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Lift over time

/** The primary metric's relative change at each of the monitor's looks with its always-valid interval, oldest first. */
export function liftOverTime(
  report: Pick<AbReportWire, 'history' | 'primaryMetric' | 'alpha'>,
): IntervalChartData {
  return intervalSeries(
    (report.history ?? []).map((h) => ({
      at: Date.parse(h.decidedAt),
      estimate: h.primary?.relativeChange,
      lower: h.primary?.sequentialInterval?.[0],
      upper: h.primary?.sequentialInterval?.[1],
    })),
    {
      key: 'lift',
      title: `${report.primaryMetric}: relative lift with its always-valid ${levelOf(report.alpha)}interval at each look`,
      labels: { estimate: 'lift', lower: 'lower bound', upper: 'upper bound', reference: 'no change' },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// 4. Guardrails

export type GuardrailState = 'breached' | 'confirmed non-inferior' | 'undecided';

export interface GuardrailRow {
  name: string;
  metric: string;
  direction: string;
  control: string;
  treatment: string;
  difference: string;
  bound: string;
  margin: string;
  state: GuardrailState;
  /** A StatusBadge status for the state's colour. */
  tone: string;
}

/** The kind of a guardrail's metric: the gateway's rates and conversion are proportions; else as the analysis says, or a mean. */
function kindOfMetric(report: AbReportWire, metric: string): MetricKind {
  if (metric === 'error_rate' || metric === 'slow_requests') return 'proportion';
  const t = treatmentOf(report);
  const known = [t?.primary, ...(t?.secondary ?? [])].find((m) => m?.metric === metric);
  if (known) return known.kind;
  return metric === 'conversion' ? 'proportion' : 'mean';
}

export function guardrailState(g: Pick<GuardrailWire, 'breached' | 'confirmedNonInferior'>): GuardrailState {
  if (g.breached) return 'breached';
  if (g.confirmedNonInferior) return 'confirmed non-inferior';
  return 'undecided';
}

export function guardrailRows(report: AbReportWire): GuardrailRow[] {
  return (treatmentOf(report)?.guardrails ?? []).map((g) => {
    const f = metricFormat(kindOfMetric(report, g.metric));
    const state = guardrailState(g);
    return {
      name: g.name,
      metric: g.metric,
      direction: g.direction === 'lower_is_better' ? 'lower is better' : 'higher is better',
      control: f.value(g.control),
      treatment: f.value(g.treatment),
      difference: f.difference(g.difference),
      bound: f.difference(g.bound),
      margin: f.magnitude(g.margin),
      state,
      tone: state === 'breached' ? 'worse' : state === 'confirmed non-inferior' ? 'passed' : 'pending',
    };
  });
}

// ---------------------------------------------------------------------------------------------
// 5. Secondary metrics

export interface SecondaryRow {
  metric: string;
  kind: string;
  control: string;
  treatment: string;
  difference: string;
  relativeLift: string;
  sequentialInterval: string;
  pValue: string;
  adjustedPValue: string;
  /** Significant after the correction for multiple comparisons. */
  significant: boolean;
}

export function secondaryRows(report: AbReportWire): SecondaryRow[] {
  const alpha = finite(report.alpha);
  return (treatmentOf(report)?.secondary ?? []).map((m: ComparisonWire) => {
    const f = metricFormat(m.kind);
    const adjusted = finite(m.adjustedPValue);
    return {
      metric: m.metric,
      kind: m.kind,
      control: f.value(m.control),
      treatment: f.value(m.treatment),
      difference: f.difference(m.difference),
      relativeLift: formatRelative(m.relative?.estimate),
      sequentialInterval: m.relative
        ? formatInterval(m.relative.sequentialInterval, signedRelative)
        : formatInterval(m.sequential?.interval, (v) => f.difference(v)),
      pValue: formatPValue(m.sequential?.pValue),
      adjustedPValue: formatPValue(adjusted),
      significant: adjusted !== null && alpha !== null && adjusted < alpha,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// 6. Bayesian

export interface BayesianView {
  probabilityTreatmentBetter: string;
  lossChooseTreatment: string;
  lossChooseControl: string;
  credibleControl: string | null;
  credibleTreatment: string | null;
}

export function bayesianView(report: AbReportWire): BayesianView | null {
  const m = treatmentOf(report)?.primary;
  const b = m?.bayesian;
  if (!m || !b) return null;
  const f = metricFormat(m.kind);
  const loss = (absolute: number | null | undefined, relative: number | null | undefined) => {
    const rel = isFiniteNumber(relative) ? ` (${formatPercent(relative, 2)} of the control)` : '';
    return `${f.magnitude(absolute)}${rel}`;
  };
  const ci = b.credibleIntervals;
  return {
    probabilityTreatmentBetter: formatPercent(b.probabilityTreatmentBetter, 2),
    lossChooseTreatment: loss(b.expectedLoss?.chooseTreatment, b.relativeExpectedLoss?.chooseTreatment),
    lossChooseControl: loss(b.expectedLoss?.chooseControl, b.relativeExpectedLoss?.chooseControl),
    credibleControl: ci ? formatInterval(ci.control, (v) => f.value(v)) : null,
    credibleTreatment: ci ? formatInterval(ci.treatment, (v) => f.value(v)) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// 7. Sample ratio mismatch

export interface SrmView {
  pValue: string;
  detected: boolean;
  logBayesFactor: string;
  chiSquare: string;
  chiSquarePValue: string;
  expected: string;
  variants: string[];
  /** Units per traffic step and variant, steps in order. */
  rows: Array<{ step: string; units: string[]; total: string }>;
  total: { units: string[]; total: string };
}

export function srmView(report: AbReportWire): SrmView {
  const a = report.analysis;
  const srm = a.sampleRatioMismatch;
  const variants = a.variants;
  const steps = [...new Set(variants.flatMap((v) => (v.perStep ?? []).map((s) => s.step)))]
    .filter(isFiniteNumber)
    .sort((x, y) => x - y);
  const unitsAt = (v: (typeof variants)[number], step: number) =>
    v.perStep?.find((s) => s.step === step)?.units ?? null;
  const totalWeight = variants.reduce((sum, v) => sum + (finite(v.weight) ?? 0), 0);
  return {
    pValue: formatPValue(srm?.pValue),
    detected: srm?.detected === true,
    logBayesFactor: formatMetric(srm?.logBayesFactor),
    chiSquare: formatMetric(srm?.chiSquare?.statistic),
    chiSquarePValue: formatPValue(srm?.chiSquare?.pValue),
    expected: variants
      .map(
        (v) =>
          `${v.name} ${formatShare(totalWeight > 0 && isFiniteNumber(v.weight) ? v.weight / totalWeight : null)}`,
      )
      .join(' · '),
    variants: variants.map((v) => v.name),
    rows: steps.map((step) => {
      const units = variants.map((v) => unitsAt(v, step));
      const share = report.steps?.[step];
      return {
        step: `${step + 1}${isFiniteNumber(share) ? ` (${formatShare(share)})` : ''}`,
        units: units.map(formatCount),
        total: formatCount(units.reduce<number>((sum, u) => sum + (finite(u) ?? 0), 0)),
      };
    }),
    total: { units: variants.map((v) => formatCount(v.units)), total: formatCount(a.totalUnits) },
  };
}

// ---------------------------------------------------------------------------------------------
// 8. Gateway health

export interface HealthRow {
  variant: string;
  requests: string;
  errorRate: string;
  slowRate: string;
  meanLatency: string;
  p99Latency: string;
}

export function healthRows(report: AbReportWire): HealthRow[] {
  return (report.analysis.health ?? []).map((h) => ({
    variant: h.variant,
    requests: formatCount(h.requests),
    errorRate: formatPercent(h.errorRate, 2),
    slowRate: formatPercent(h.slowRate, 2),
    meanLatency: formatMs(h.meanLatencyMs),
    p99Latency: formatMs(h.p99LatencyMs),
  }));
}

// ---------------------------------------------------------------------------------------------
// 9. Business readout

export interface ReadoutView {
  revenuePerUnit: { control: string; treatment: string; difference: string; relativeUplift: string };
  conversion: { control: string; treatment: string; uplift: string };
  unitsPerHour: string;
  projectedMonthlyImpact: string;
  probabilityLosesMoney: string;
}

export function readoutView(report: AbReportWire): ReadoutView {
  const r = report.analysis.readout;
  const revenue = r?.revenuePerUnit ?? null;
  const conversion = r?.conversion ?? null;
  const impact = r?.projectedMonthlyImpact ?? null;
  return {
    revenuePerUnit: {
      control: formatAmount(revenue?.control),
      treatment: formatAmount(revenue?.treatment),
      difference: revenue
        ? withInterval(revenue.difference, revenue.interval, (v) => formatAmount(v, true))
        : DASH,
      relativeUplift: formatRelative(revenue?.relativeUplift),
    },
    conversion: {
      control: formatPercent(conversion?.control, 2),
      treatment: formatPercent(conversion?.treatment, 2),
      uplift: conversion
        ? withInterval(conversion.relativeUplift, conversion.interval, signedRelative)
        : DASH,
    },
    unitsPerHour: formatAmount(r?.unitsPerHour),
    projectedMonthlyImpact: impact
      ? withInterval(impact.estimate, impact.interval, (v) => formatAmount(v, true))
      : DASH,
    probabilityLosesMoney: formatPercent(r?.probabilityLosesMoney, 2),
  };
}

// ---------------------------------------------------------------------------------------------
// 10. Plan vs actual

export interface PlanView {
  /** Null when the test has no plan. */
  plan: {
    reachable: boolean;
    message: string;
    baseline: string;
    minimumDetectableEffect: string;
    power: string;
    alpha: string;
    maxDuration: string;
    unitsPerHour: string;
    designs: Array<{
      design: string;
      units: string;
      days: string;
      unitsProgress: number | null;
      unitsProgressText: string;
    }>;
  } | null;
  actual: { units: string; elapsed: string; elapsedDays: string; unitsPerHour: string };
}

export function planView(report: AbReportWire, now: number): PlanView {
  const total = finite(report.analysis.totalUnits);
  const elapsedMs = durationBetween(report.startedAt, report.endedAt, now);
  const p = report.plan;
  const progress = (needed: number | null | undefined) =>
    isFiniteNumber(needed) && needed > 0 && total !== null ? total / needed : null;
  const primaryKind = treatmentOf(report)?.primary?.kind ?? kindOfMetric(report, report.primaryMetric);
  const f = metricFormat(primaryKind);
  return {
    plan: p
      ? {
          reachable: p.reachable === true,
          message: p.message || DASH,
          baseline: f.value(p.baseline),
          minimumDetectableEffect: `${formatPercent(p.minimumDetectableEffect?.relative, 1)} relative (${f.magnitude(p.minimumDetectableEffect?.absolute)})`,
          power: formatPercent(p.power, 0),
          alpha: isFiniteNumber(p.alpha) ? String(p.alpha) : DASH,
          maxDuration: formatDays(p.maxDurationDays),
          unitsPerHour: formatAmount(p.unitsPerHour),
          designs: (
            [
              ['sequential (always-valid)', p.sequential],
              ['fixed horizon (one look)', p.fixedHorizon],
            ] as const
          ).map(([design, d]) => {
            const share = progress(d?.units);
            return {
              design,
              units: formatCount(d?.units),
              days: formatDays(d?.days),
              unitsProgress: share,
              unitsProgressText: formatPercent(share, 0),
            };
          }),
        }
      : null,
    actual: {
      units: formatCount(total),
      elapsed: formatDurationMs(elapsedMs),
      elapsedDays: formatDays(elapsedMs === null ? null : elapsedMs / 86_400_000),
      unitsPerHour: formatAmount(report.analysis.readout?.unitsPerHour),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 11. Decision history

export interface HistoryRow {
  id: string;
  decidedAt: string;
  step: string;
  action: string;
  /** A StatusBadge status for the action's colour. */
  tone: string;
  applied: string;
  reasons: string[];
  lift: string;
  pValue: string;
  units: string;
}

const ACTION_TONES: Record<string, string> = {
  promote: 'promoted',
  rollback: 'rolled_back',
  advance: 'rolling_out',
  hold: 'pending',
  stop: 'stopped',
};

/** The monitor's looks, newest first (the API sends them oldest first); equal times keep the newer one first. */
export function historyRows(report: Pick<AbReportWire, 'history' | 'steps'>): HistoryRow[] {
  const timeOf = (h: DecisionWire) => {
    const t = Date.parse(h.decidedAt);
    return Number.isFinite(t) ? t : -Infinity;
  };
  return (report.history ?? [])
    .map((h, i) => ({ h, i, t: timeOf(h) }))
    .sort((a, b) => (a.t !== b.t ? (b.t > a.t ? 1 : -1) : b.i - a.i))
    .map(({ h }) => {
      const share = isFiniteNumber(h.step) ? report.steps?.[h.step] : undefined;
      const p = h.primary;
      return {
        id: h.id,
        decidedAt: formatTimestamp(h.decidedAt),
        step: isFiniteNumber(h.step)
          ? `${h.step + 1}${isFiniteNumber(share) ? ` (${formatShare(share)})` : ''}`
          : DASH,
        action: h.action,
        tone: ACTION_TONES[h.action] ?? 'muted',
        applied: h.applied ? 'yes' : 'no',
        reasons: reasonLines(h.reasons),
        lift: p ? withInterval(p.relativeChange, p.sequentialInterval, signedRelative) : DASH,
        pValue: formatPValue(p?.pValue),
        units: formatCount(p?.units),
      };
    });
}

// ---------------------------------------------------------------------------------------------
// The list page

/** The challenger's traffic now: the policy's step at `currentStep` (0 while a draft). */
export function currentTraffic(test: AbTest): number | null {
  const steps = test.policy.steps;
  if (!Array.isArray(steps) || steps.length === 0) return null;
  if (test.status === 'draft') return 0;
  if (test.status === 'promoted') return 1;
  if (test.status === 'rolled_back' || test.status === 'stopped') return 0;
  const step = steps[Math.min(Math.max(test.currentStep, 0), steps.length - 1)];
  return typeof step === 'number' ? step : null;
}
