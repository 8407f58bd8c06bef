import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Profiler } from '../profile/profile.ts';
import { mulberry32, normal } from '../prng.ts';
import {
  chiSquareHomogeneity,
  computeDrift,
  jensenShannon,
  ksTwoSample,
  psi,
  wasserstein,
} from './compute-drift.ts';

// Values computed with scipy 1.17 by reference/drift_reference.py (committed with its output).
const ref = JSON.parse(
  readFileSync(new URL('../../reference/drift-reference.json', import.meta.url), 'utf8'),
) as {
  a: number[];
  b: number[];
  ks: { statistic: number; pvalue: number };
  ks_exact: Array<{ n: [number, number]; rounded: boolean; statistic: number; pvalue: number }>;
  wasserstein: number;
  counts: { x: number[]; y: number[] };
  chi2: { statistic: number; pvalue: number };
  chi2_far: { x: number[]; y: number[]; statistic: number; pvalue: number };
  psi_counts: number;
  psi_numeric: { bins_a: number[]; bins_b: number[]; psi: number };
  jensenshannon: number;
};

describe('drift statistics match scipy', () => {
  it.each([0, 1, 2, 3])('two-sample KS, exact p-value as scipy ks_2samp defaults (case %i)', (k) => {
    const c = ref.ks_exact[k]!;
    const prep = (xs: number[], size: number) =>
      xs.slice(0, size).map((v) => (c.rounded ? Math.round(v) : v));
    // numpy rounds half to even, Math.round half up: the reference values have 6 decimals, so no .5 ties occur.
    const result = ksTwoSample(prep(ref.a, c.n[0]), prep(ref.b, c.n[1]));
    expect(result.method).toBe('exact');
    expect(result.statistic).toBeCloseTo(c.statistic, 12);
    // Absolute 1e-10: scipy and Lathe propagate the lattice probabilities in different orders.
    expect(Math.abs(result.pValue - c.pvalue)).toBeLessThan(1e-10);
  });

  it('two-sample KS (asymptotic p-value above the exact limit)', () => {
    const result = ksTwoSample(ref.a, ref.b, { exactLimit: 0 });
    expect(result.method).toBe('asymptotic');
    expect(result.statistic).toBeCloseTo(ref.ks.statistic, 12);
    expect(result.pValue).toBeCloseTo(ref.ks.pvalue, 9);
  });
  it('Wasserstein-1', () => expect(wasserstein(ref.a, ref.b)).toBeCloseTo(ref.wasserstein, 9));
  it('chi-square of homogeneity', () => {
    const result = chiSquareHomogeneity(ref.counts.x, ref.counts.y);
    expect(result.statistic).toBeCloseTo(ref.chi2.statistic, 9);
    expect(result.pValue).toBeCloseTo(ref.chi2.pvalue, 9);
  });
  it('chi-square keeps the digits of a tiny p-value (no 1 − P cancellation)', () => {
    const result = chiSquareHomogeneity(ref.chi2_far.x, ref.chi2_far.y);
    expect(result.statistic).toBeCloseTo(ref.chi2_far.statistic, 8);
    expect(Math.abs(result.pValue / ref.chi2_far.pvalue - 1)).toBeLessThan(1e-9);
  });
  it('PSI of counts (numpy reference of the same formula)', () =>
    expect(psi(ref.counts.x, ref.counts.y)).toBeCloseTo(ref.psi_counts, 12));
  it('Jensen–Shannon distance, base 2', () =>
    expect(jensenShannon(ref.counts.x, ref.counts.y)).toBeCloseTo(ref.jensenshannon, 9));
});

describe('computeDrift on profiles', () => {
  const profileOf = (values: number[], labels: string[]) => {
    const profiler = new Profiler();
    values.forEach((v, i) => {
      profiler.addNumber('x', v);
      profiler.addCategory('label', labels[i % labels.length]!);
      profiler.endRow();
    });
    return profiler.result();
  };

  it('flags a shifted column and not an unchanged one', () => {
    const report = computeDrift(profileOf(ref.a, ['a', 'b']), profileOf(ref.b, ['a', 'b']));
    const x = report.columns.find((c) => c.column === 'x')!;
    expect(x).toMatchObject({ test: 'ks', drifted: true });
    expect(report.columns.find((c) => c.column === 'label')).toMatchObject({
      test: 'chi-square',
      drifted: false,
    });
    expect(report.driftedColumns).toEqual(['x']);
  });

  it('numeric PSI bins the current sample at the reference deciles', () => {
    const report = computeDrift(profileOf(ref.a, ['a']), profileOf(ref.b, ['a']));
    expect(report.columns.find((c) => c.column === 'x')!.psi).toBeCloseTo(ref.psi_numeric.psi, 12);
  });

  it('above 1,000 values: Wasserstein/std for numbers, Jensen–Shannon for categories', () => {
    const random = mulberry32(11);
    const draw = (shift: number) => Array.from({ length: 1500 }, () => shift + normal(random));
    const before = profileOf(draw(0), ['a', 'b', 'c']);
    const report = computeDrift(before, profileOf(draw(0.5), ['a', 'b', 'c']));
    expect(report.columns.find((c) => c.column === 'x')).toMatchObject({
      test: 'wasserstein',
      drifted: true,
    });
    expect(report.columns.find((c) => c.column === 'label')).toMatchObject({
      test: 'jensen-shannon',
      statistic: 0,
      drifted: false,
    });
    const same = computeDrift(before, profileOf(draw(0), ['a', 'b', 'c']));
    expect(same.columns.find((c) => c.column === 'x')).toMatchObject({ test: 'wasserstein', drifted: false });
    expect(same.drifted).toBe(false);
  });

  it('does not test samples too small to tell drift from chance', () => {
    const report = computeDrift(profileOf(ref.a.slice(0, 10), ['a']), profileOf(ref.b.slice(0, 10), ['b']));
    expect(report.drifted).toBe(false);
    expect(report.columns.every((c) => c.test === 'none')).toBe(true);
  });
});
