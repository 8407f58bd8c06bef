// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- jstat ships no types; consumers compile this file without our src/ in their include list
/// <reference path="./jstat.d.ts" />
/**
 * The statistics engine: pure functions over sufficient statistics per arm (count, sum, sum of
 * squares), as GrowthBook's gbstats. Each function names the test it implements; values are
 * checked against scipy in statistics.test.ts (reference/statistics-reference.json).
 */
// jstat is CommonJS: Node's ESM loader exposes it as the default export only.
import jstat from 'jstat';

const { jStat } = jstat;

export interface ProportionArm {
  /** Units exposed. */
  n: number;
  /** Units that converted (0..n). */
  conversions: number;
}

export interface MeanArm {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface Comparison {
  control: number;
  treatment: number;
  /** treatment − control */
  difference: number;
  /** (treatment − control) / control; null when control is 0. */
  relativeUplift: number | null;
  standardError: number;
  statistic: number;
  pValue: number;
  /** Confidence interval of `difference` at 1 − alpha. */
  confidenceInterval: [number, number];
  /** Probability that treatment beats control under a flat prior (normal approximation). */
  chanceToWin: number;
  significant: boolean;
}

function twoSidedNormalP(z: number): number {
  return 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1));
}

/**
 * Two-proportion z-test (pooled standard error for the test statistic, as
 * statsmodels' proportions_ztest; unpooled standard error for the Wald confidence interval).
 */
export function twoProportionTest(
  control: ProportionArm,
  treatment: ProportionArm,
  alpha = 0.05,
): Comparison {
  assertArm(control.n, 'control');
  assertArm(treatment.n, 'treatment');
  const pc = control.conversions / control.n;
  const pt = treatment.conversions / treatment.n;
  const pooled = (control.conversions + treatment.conversions) / (control.n + treatment.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  const se = Math.sqrt((pc * (1 - pc)) / control.n + (pt * (1 - pt)) / treatment.n);
  const difference = pt - pc;
  const z = pooledSe === 0 ? 0 : difference / pooledSe;
  const pValue = pooledSe === 0 ? 1 : twoSidedNormalP(z);
  const critical = jStat.normal.inv(1 - alpha / 2, 0, 1);
  return {
    control: pc,
    treatment: pt,
    difference,
    relativeUplift: pc === 0 ? null : difference / pc,
    standardError: se,
    statistic: z,
    pValue,
    confidenceInterval: [difference - critical * se, difference + critical * se],
    chanceToWin:
      se === 0 ? (difference > 0 ? 1 : difference < 0 ? 0 : 0.5) : jStat.normal.cdf(difference / se, 0, 1),
    significant: pValue < alpha,
  };
}

/**
 * Welch's t-test on means from sufficient statistics (scipy.stats.ttest_ind_from_stats with
 * equal_var=False): sample variances with n − 1, Welch–Satterthwaite degrees of freedom.
 */
export function welchTTest(
  control: MeanArm,
  treatment: MeanArm,
  alpha = 0.05,
): Comparison & { degreesOfFreedom: number } {
  assertArm(control.n, 'control', 2);
  assertArm(treatment.n, 'treatment', 2);
  const mc = control.sum / control.n;
  const mt = treatment.sum / treatment.n;
  const vc = Math.max(0, (control.sumSquares - control.n * mc * mc) / (control.n - 1));
  const vt = Math.max(0, (treatment.sumSquares - treatment.n * mt * mt) / (treatment.n - 1));
  const sc = vc / control.n;
  const st = vt / treatment.n;
  const se = Math.sqrt(sc + st);
  const difference = mt - mc;
  const df =
    se === 0
      ? control.n + treatment.n - 2
      : (sc + st) ** 2 / (sc ** 2 / (control.n - 1) + st ** 2 / (treatment.n - 1));
  const t = se === 0 ? 0 : difference / se;
  const pValue = se === 0 ? 1 : 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
  const critical = jStat.studentt.inv(1 - alpha / 2, df);
  return {
    control: mc,
    treatment: mt,
    difference,
    relativeUplift: mc === 0 ? null : difference / mc,
    standardError: se,
    statistic: t,
    pValue,
    degreesOfFreedom: df,
    confidenceInterval: [difference - critical * se, difference + critical * se],
    chanceToWin:
      se === 0 ? (difference > 0 ? 1 : difference < 0 ? 0 : 0.5) : jStat.normal.cdf(difference / se, 0, 1),
    significant: pValue < alpha,
  };
}

/**
 * Sample ratio mismatch: Pearson's chi-square goodness-of-fit of observed exposures against
 * the configured weights (scipy.stats.chisquare). A tiny p-value (GrowthBook warns below 0.001)
 * means assignment or logging is broken and the comparison cannot be trusted.
 */
export function sampleRatioMismatch(
  observed: number[],
  weights: number[],
): { statistic: number; pValue: number } {
  const total = observed.reduce((sum, n) => sum + n, 0);
  const weightTotal = weights.reduce((sum, w) => sum + w, 0);
  if (total === 0 || observed.length < 2) return { statistic: 0, pValue: 1 };
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (total * weights[i]!) / weightTotal;
    if (expected > 0) statistic += (observed[i]! - expected) ** 2 / expected;
  }
  return { statistic, pValue: 1 - jStat.chisquare.cdf(statistic, observed.length - 1) };
}

function assertArm(n: number, name: string, minimum = 1): void {
  if (!Number.isInteger(n) || n < minimum)
    throw new RangeError(`${name} needs at least ${minimum} unit(s), has ${n}`);
}
