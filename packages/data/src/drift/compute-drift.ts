/**
 * Drift of a dataset version against the previous version of the same dataset, per column,
 * computed from the two stored profiles (numeric columns keep a bounded sample; categorical
 * columns keep their value counts). As Evidently does, the test that decides depends on size:
 *   numeric      n ≤ 1000: two-sample Kolmogorov–Smirnov, drift when p < 0.05
 *                n > 1000: Wasserstein-1 distance normed by the reference std, drift when > 0.1
 *   categorical  n ≤ 1000: chi-square test of homogeneity, drift when p < 0.05
 *                n > 1000: Jensen–Shannon distance (base 2), drift when > 0.1
 *   either side with fewer than 30 values: no test (too small to tell drift from chance).
 * PSI (10 reference-quantile bins for numbers; categories for the rest) is always reported.
 * KS p-values are exact (lattice paths, as scipy's ks_2samp default) while n·m ≤ 10^7, else
 * Kolmogorov's limiting distribution at √(nm/(n+m))·D (scipy.stats.kstwobign); see ksTwoSample.
 */
import type { ColumnProfile, DatasetProfile } from '../profile/profile.ts';

export interface DriftThresholds {
  pValue: number;
  wasserstein: number;
  jensenShannon: number;
  psi: number;
  minSamples: number;
  largeSample: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  pValue: 0.05,
  wasserstein: 0.1,
  jensenShannon: 0.1,
  psi: 0.2,
  minSamples: 30,
  largeSample: 1000,
};

export interface ColumnDrift {
  column: string;
  kind: 'numeric' | 'categorical';
  test: 'ks' | 'wasserstein' | 'chi-square' | 'jensen-shannon' | 'none';
  statistic: number | null;
  pValue: number | null;
  psi: number | null;
  drifted: boolean;
  reason: string;
  extra: Record<string, number>;
}

export interface DriftReport {
  drifted: boolean;
  driftedColumns: string[];
  columns: ColumnDrift[];
  thresholds: DriftThresholds;
}

export function computeDrift(
  previous: unknown,
  current: unknown,
  thresholds: Partial<DriftThresholds> = {},
): DriftReport {
  const t = { ...DEFAULT_DRIFT_THRESHOLDS, ...thresholds };
  const before = previous as DatasetProfile;
  const after = current as DatasetProfile;
  const columns: ColumnDrift[] = [];
  for (const [name, now] of Object.entries(after.columns ?? {})) {
    const then = before.columns?.[name];
    if (!then || then.kind !== now.kind) continue;
    columns.push(
      now.kind === 'numeric' ? numericDrift(name, then, now, t) : categoricalDrift(name, then, now, t),
    );
  }
  const driftedColumns = columns.filter((c) => c.drifted).map((c) => c.column);
  return { drifted: driftedColumns.length > 0, driftedColumns, columns, thresholds: t };
}

function numericDrift(
  column: string,
  then: ColumnProfile,
  now: ColumnProfile,
  t: DriftThresholds,
): ColumnDrift {
  const a = then.kind === 'numeric' ? then.sample : [];
  const b = now.kind === 'numeric' ? now.sample : [];
  const psiValue = a.length && b.length ? psi(...binNumeric(a, b)) : null;
  if (a.length < t.minSamples || b.length < t.minSamples) {
    return {
      column,
      kind: 'numeric',
      test: 'none',
      statistic: null,
      pValue: null,
      psi: psiValue,
      drifted: false,
      reason: `fewer than ${t.minSamples} values on one side: not tested`,
      extra: {},
    };
  }
  const w = wasserstein(a, b);
  if (Math.min(then.count, now.count) <= t.largeSample) {
    const { statistic, pValue, method } = ksTwoSample(a, b);
    const drifted = pValue < t.pValue;
    return {
      column,
      kind: 'numeric',
      test: 'ks',
      statistic,
      pValue,
      psi: psiValue,
      drifted,
      reason: `KS (${method}) p = ${pValue.toFixed(4)} ${drifted ? '<' : '≥'} ${t.pValue}`,
      extra: { wasserstein: w },
    };
  }
  const std = then.kind === 'numeric' && then.std ? then.std : 1;
  const normed = w / std;
  const drifted = normed > t.wasserstein;
  return {
    column,
    kind: 'numeric',
    test: 'wasserstein',
    statistic: normed,
    pValue: null,
    psi: psiValue,
    drifted,
    reason: `Wasserstein/std = ${normed.toFixed(4)} ${drifted ? '>' : '≤'} ${t.wasserstein}`,
    extra: { wasserstein: w },
  };
}

function categoricalDrift(
  column: string,
  then: ColumnProfile,
  now: ColumnProfile,
  t: DriftThresholds,
): ColumnDrift {
  const a = then.kind === 'categorical' ? then.counts : {};
  const b = now.kind === 'categorical' ? now.counts : {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const x = keys.map((k) => a[k] ?? 0);
  const y = keys.map((k) => b[k] ?? 0);
  const na = x.reduce((s, v) => s + v, 0);
  const nb = y.reduce((s, v) => s + v, 0);
  const psiValue = na && nb ? psi(x, y) : null;
  if (na < t.minSamples || nb < t.minSamples) {
    return {
      column,
      kind: 'categorical',
      test: 'none',
      statistic: null,
      pValue: null,
      psi: psiValue,
      drifted: false,
      reason: `fewer than ${t.minSamples} values on one side: not tested`,
      extra: {},
    };
  }
  const js = jensenShannon(x, y);
  if (Math.min(na, nb) <= t.largeSample) {
    const { statistic, pValue } = chiSquareHomogeneity(x, y);
    const drifted = pValue < t.pValue;
    return {
      column,
      kind: 'categorical',
      test: 'chi-square',
      statistic,
      pValue,
      psi: psiValue,
      drifted,
      reason: `chi-square p = ${pValue.toFixed(4)} ${drifted ? '<' : '≥'} ${t.pValue}`,
      extra: { jensenShannon: js },
    };
  }
  const drifted = js > t.jensenShannon;
  return {
    column,
    kind: 'categorical',
    test: 'jensen-shannon',
    statistic: js,
    pValue: null,
    psi: psiValue,
    drifted,
    reason: `Jensen–Shannon = ${js.toFixed(4)} ${drifted ? '>' : '≤'} ${t.jensenShannon}`,
    extra: {},
  };
}

/**
 * Two-sample KS statistic D = sup |F_a − F_b| and its two-sided p-value, as
 * scipy.stats.ks_2samp with its default method="auto": the exact null distribution when both
 * samples are small (here n·m ≤ 10^7; scipy: max(n, m) ≤ 10,000), else Kolmogorov's limiting
 * distribution at sqrt(nm/(n+m))·D (the asymptotic p-value; scipy's method="asymp" uses kstwo
 * with the rounded effective n instead, which differs in the third decimal).
 */
export function ksTwoSample(
  aIn: number[],
  bIn: number[],
  options: { exactLimit?: number } = {},
): { statistic: number; pValue: number; method: 'exact' | 'asymptotic' } {
  const a = [...aIn].sort((x, y) => x - y);
  const b = [...bIn].sort((x, y) => x - y);
  const m = a.length;
  const n = b.length;
  let i = 0;
  let j = 0;
  // D·m·n as an integer (|i·n − j·m| at every jump of either ECDF), so the exact lattice count
  // below compares integers and ties at the boundary cannot be lost to rounding.
  let dScaled = 0;
  while (i < m && j < n) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < m && a[i]! <= v) i++;
    while (j < n && b[j]! <= v) j++;
    dScaled = Math.max(dScaled, Math.abs(i * n - j * m));
  }
  const statistic = m === 0 || n === 0 ? 0 : dScaled / (m * n);
  if (m > 0 && n > 0 && m * n <= (options.exactLimit ?? 1e7)) {
    return { statistic, pValue: ksExactPValue(m, n, dScaled), method: 'exact' };
  }
  const en = Math.sqrt((m * n) / (m + n));
  return { statistic, pValue: kolmogorovSurvival(en * statistic), method: 'asymptotic' };
}

/**
 * P(D ≥ d) under H0 for samples of sizes m and n, d = dScaled/(m·n): one minus the
 * probability that a uniformly random monotone lattice path from (0,0) to (m,n) stays strictly
 * inside |i·n − j·m| < dScaled (Hodges 1957, "The significance probability of the Smirnov
 * two-sample test"). Path probabilities are propagated instead of path counts, so nothing
 * overflows: from (i,j) the next step is in a with probability (m−i)/(m+n−i−j).
 */
export function ksExactPValue(m: number, n: number, dScaled: number): number {
  if (dScaled <= 0) return 1;
  const row = new Float64Array(n + 1);
  row[0] = 1;
  for (let jj = 1; jj <= n; jj++)
    row[jj] = Math.abs(jj * m) < dScaled ? row[jj - 1]! * ((n - jj + 1) / (m + n - jj + 1)) : 0;
  for (let ii = 1; ii <= m; ii++) {
    for (let jj = 0; jj <= n; jj++) {
      if (Math.abs(ii * n - jj * m) >= dScaled) {
        row[jj] = 0;
        continue;
      }
      const denominator = m + n - (ii + jj - 1);
      // row[jj] still holds (ii−1, jj); row[jj−1] already holds (ii, jj−1).
      const fromA = row[jj]! * ((m - ii + 1) / denominator);
      const fromB = jj > 0 ? row[jj - 1]! * ((n - jj + 1) / denominator) : 0;
      row[jj] = fromA + fromB;
    }
  }
  return Math.min(1, Math.max(0, 1 - row[n]!));
}

/** Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} (scipy.special.kolmogorov). */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda <= 0) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** Wasserstein-1 between two empirical distributions: ∫ |F_a − F_b| (scipy.stats.wasserstein_distance). */
export function wasserstein(aIn: number[], bIn: number[]): number {
  const a = [...aIn].sort((x, y) => x - y);
  const b = [...bIn].sort((x, y) => x - y);
  const all = [...a, ...b].sort((x, y) => x - y);
  let i = 0;
  let j = 0;
  let total = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const v = all[k]!;
    while (i < a.length && a[i]! <= v) i++;
    while (j < b.length && b[j]! <= v) j++;
    total += Math.abs(i / a.length - j / b.length) * (all[k + 1]! - v);
  }
  return total;
}

/** Jensen–Shannon distance, base 2 (scipy.spatial.distance.jensenshannon(p, q, base=2)). */
export function jensenShannon(x: number[], y: number[]): number {
  const sx = x.reduce((s, v) => s + v, 0);
  const sy = y.reduce((s, v) => s + v, 0);
  let divergence = 0;
  for (let k = 0; k < x.length; k++) {
    const p = x[k]! / sx;
    const q = y[k]! / sy;
    const m = (p + q) / 2;
    if (p > 0) divergence += 0.5 * p * Math.log2(p / m);
    if (q > 0) divergence += 0.5 * q * Math.log2(q / m);
  }
  return Math.sqrt(Math.max(0, divergence));
}

/** Population stability index Σ (q − p) ln(q / p), with empty bins floored at 1e-4. */
export function psi(reference: number[], current: number[]): number {
  const sr = reference.reduce((s, v) => s + v, 0);
  const sc = current.reduce((s, v) => s + v, 0);
  let total = 0;
  for (let k = 0; k < reference.length; k++) {
    const p = Math.max(1e-4, reference[k]! / sr);
    const q = Math.max(1e-4, current[k]! / sc);
    total += (q - p) * Math.log(q / p);
  }
  return total;
}

function binNumeric(a: number[], b: number[]): [number[], number[]] {
  const sorted = [...a].sort((x, y) => x - y);
  const edges = Array.from(
    { length: 9 },
    (_, k) => sorted[Math.floor(((k + 1) / 10) * (sorted.length - 1))]!,
  );
  const bin = (values: number[]) => {
    const counts = new Array<number>(10).fill(0);
    for (const v of values) {
      let k = 0;
      while (k < edges.length && v > edges[k]!) k++;
      counts[k]! += 1;
    }
    return counts;
  };
  return [bin(a), bin(b)];
}

/** Chi-square test of homogeneity on a 2 × k table (scipy.stats.chi2_contingency, no correction for k > 2). */
export function chiSquareHomogeneity(x: number[], y: number[]): { statistic: number; pValue: number } {
  const keep = x.map((_, k) => x[k]! + y[k]! > 0);
  const xs = x.filter((_, k) => keep[k]);
  const ys = y.filter((_, k) => keep[k]);
  const nx = xs.reduce((s, v) => s + v, 0);
  const ny = ys.reduce((s, v) => s + v, 0);
  const n = nx + ny;
  let statistic = 0;
  for (let k = 0; k < xs.length; k++) {
    const column = xs[k]! + ys[k]!;
    const ex = (nx * column) / n;
    const ey = (ny * column) / n;
    statistic += (xs[k]! - ex) ** 2 / ex + (ys[k]! - ey) ** 2 / ey;
  }
  const df = xs.length - 1;
  return { statistic, pValue: df <= 0 ? 1 : regularizedGammaQ(df / 2, statistic / 2) };
}

/**
 * Q(a, x) = 1 − P(a, x), the regularised upper incomplete gamma (the chi-square survival
 * function at 2x with 2a degrees of freedom), Numerical Recipes 6.2: the series for P below
 * x < a + 1, else the continued fraction for Q itself, so a tiny p-value keeps its digits
 * instead of cancelling to 0 in 1 − P.
 */
function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnGammaA = lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGammaA);
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGammaA) * h;
}

/** ln Γ(x), Lanczos approximation (g = 7, n = 9), accurate to ~1e-15. */
function lnGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}
