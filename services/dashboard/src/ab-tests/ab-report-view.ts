/**
 * What the A/B test page says about each variant against the control, from GET
 * /ab-tests/:id/report (two-proportion z-test from @lathe/experiments):
 * the verdict in words, and where the confidence interval of the difference lies, for a
 * forest-plot-like bar. Pure.
 */
import type { AbReport, AbTest, AbVariantReport } from '../api/api-types.ts';
import { formatPercent, formatPointDelta, formatPValue } from '../format/format.ts';

export type VariantVerdict = 'control' | 'better' | 'worse' | 'inconclusive' | 'no data';

export function variantVerdict(variant: AbVariantReport): VariantVerdict {
  if (variant.isControl) return 'control';
  const vs = variant.vsControl;
  if (!vs || vs.pValue === null) return 'no data';
  if (!vs.significant) return 'inconclusive';
  return vs.difference > 0 ? 'better' : 'worse';
}

export function verdictSentence(variant: AbVariantReport, alpha: number): string {
  const vs = variant.vsControl;
  switch (variantVerdict(variant)) {
    case 'control':
      return `control: ${formatPercent(variant.rate, 2)} of ${variant.exposures.toLocaleString('en-US')} exposed units converted`;
    case 'no data':
      return 'not enough exposures in this variant or the control to compare yet';
    case 'inconclusive':
      return `no significant difference at α = ${alpha} (p = ${formatPValue(vs!.pValue)}, ${formatPointDelta(vs!.difference)})`;
    case 'better':
      return `significantly better than control (p = ${formatPValue(vs!.pValue)}, ${formatPointDelta(vs!.difference)})`;
    case 'worse':
      return `significantly worse than control (p = ${formatPValue(vs!.pValue)}, ${formatPointDelta(vs!.difference)})`;
  }
}

/**
 * Positions (0..1) of the interval's ends and of zero on a symmetric scale that fits every
 * variant's interval, so the bars of one report can be compared by eye.
 */
export function intervalScale(report: AbReport): (interval: [number, number]) => { left: number; right: number; zero: number } {
  let extent = 0;
  for (const v of report.variants) {
    const ci = v.vsControl?.confidenceInterval;
    if (ci) extent = Math.max(extent, Math.abs(ci[0]), Math.abs(ci[1]));
  }
  const half = extent > 0 ? extent * 1.1 : 1;
  const at = (x: number) => Math.min(1, Math.max(0, (x + half) / (2 * half)));
  return ([lo, hi]) => ({ left: at(lo), right: at(hi), zero: at(0) });
}

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

/** Reasons are stored as JSON; show strings as they are and anything else as JSON. */
export function reasonLines(reasons: unknown): string[] {
  if (reasons === null || reasons === undefined) return [];
  const list = Array.isArray(reasons) ? reasons : [reasons];
  return list.map((r) => {
    if (typeof r === 'string') return r;
    if (typeof r === 'object' && r !== null && typeof (r as { message?: unknown }).message === 'string') return (r as { message: string }).message;
    return JSON.stringify(r);
  });
}
