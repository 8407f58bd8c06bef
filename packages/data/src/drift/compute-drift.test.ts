import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Profiler } from '../profile/profile.ts';
import { chiSquareHomogeneity, computeDrift, jensenShannon, ksTwoSample, wasserstein } from './compute-drift.ts';

// Values computed with scipy 1.17 by reference/drift_reference.py (committed with its output).
const ref = JSON.parse(readFileSync(new URL('../../reference/drift-reference.json', import.meta.url), 'utf8')) as {
  a: number[];
  b: number[];
  ks: { statistic: number; pvalue: number };
  wasserstein: number;
  counts: { x: number[]; y: number[] };
  chi2: { statistic: number; pvalue: number };
  jensenshannon: number;
};

describe('drift statistics match scipy', () => {
  it('two-sample KS (asymptotic p-value)', () => {
    const result = ksTwoSample(ref.a, ref.b);
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
