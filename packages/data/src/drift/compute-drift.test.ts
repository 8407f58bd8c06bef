import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Profiler } from '../profile/profile.ts';
import { chiSquareHomogeneity, computeDrift, jensenShannon, ksTwoSample, wasserstein } from './compute-drift.ts';

// Values computed with scipy 1.17 by reference/drift_reference.py (committed with its output).
const ref = JSON.parse(readFileSync(new URL('../../reference/drift-reference.json', import.meta.url), 'utf8')) as {
  a: number[];
  b: number[];
  ks: { statistic: number; pvalue: number };
  ks_exact: Array<{ n: [number, number]; rounded: boolean; statistic: number; pvalue: number }>;
  wasserstein: number;
  counts: { x: number[]; y: number[] };
  chi2: { statistic: number; pvalue: number };
  jensenshannon: number;
};

describe('drift statistics match scipy', () => {
  it.each([0, 1, 2, 3])('two-sample KS, exact p-value as scipy ks_2samp defaults (case %i)', (k) => {
    const c = ref.ks_exact[k]!;
    const prep = (xs: number[], size: number) => xs.slice(0, size).map((v) => (c.rounded ? Math.round(v) : v));
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
  it('Jensen–Shannon distance, base 2', () => expect(jensenShannon(ref.counts.x, ref.counts.y)).toBeCloseTo(ref.jensenshannon, 9));
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
    expect(report.columns.find((c) => c.column === 'label')).toMatchObject({ test: 'chi-square', drifted: false });
    expect(report.driftedColumns).toEqual(['x']);
  });

  it('does not test samples too small to tell drift from chance', () => {
    const report = computeDrift(profileOf(ref.a.slice(0, 10), ['a']), profileOf(ref.b.slice(0, 10), ['b']));
    expect(report.drifted).toBe(false);
    expect(report.columns.every((c) => c.test === 'none')).toBe(true);
  });
});
