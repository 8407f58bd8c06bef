import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type MeanArm,
  type ProportionArm,
  sampleRatioMismatch,
  twoProportionTest,
  welchTTest,
} from './statistics.ts';

// Values computed with scipy by reference/generate.py (committed with its output).
interface Reference {
  proportions: Array<{
    control: ProportionArm;
    treatment: ProportionArm;
    z: number;
    pValue: number;
    ci: [number, number];
  }>;
  welch: Array<{ control: MeanArm; treatment: MeanArm; t: number; pValue: number; df: number }>;
  chisquare: Array<{ observed: number[]; weights: number[]; statistic: number; pValue: number }>;
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/statistics-reference.json', import.meta.url), 'utf8'),
);

describe('two-proportion z-test', () => {
  it.each(reference.proportions)('matches scipy for %#', (c) => {
    const result = twoProportionTest(c.control, c.treatment);
    expect(result.statistic).toBeCloseTo(c.z, 9);
    expect(result.pValue).toBeCloseTo(c.pValue, 9);
    expect(result.confidenceInterval[0]).toBeCloseTo(c.ci[0], 9);
    expect(result.confidenceInterval[1]).toBeCloseTo(c.ci[1], 9);
  });

  it('reports no difference (p = 1) when nobody converted in either arm', () => {
    const result = twoProportionTest({ n: 100, conversions: 0 }, { n: 100, conversions: 0 });
    expect(result.pValue).toBe(1);
    expect(result.relativeUplift).toBeNull();
    expect(result.significant).toBe(false);
  });

  it('refuses an empty arm', () => {
    expect(() => twoProportionTest({ n: 0, conversions: 0 }, { n: 10, conversions: 1 })).toThrow(
      /control needs at least 1/,
    );
  });
});

describe("Welch's t-test", () => {
  it.each(reference.welch)('matches scipy ttest_ind(equal_var=False) for %#', (c) => {
    const result = welchTTest(c.control, c.treatment);
    expect(result.statistic).toBeCloseTo(c.t, 9);
    // jStat's Student t CDF (continued fraction of the incomplete beta) agrees with scipy to
    // about 1e-8, not 1e-9; the statistic and degrees of freedom are exact to 1e-9.
    expect(result.pValue).toBeCloseTo(c.pValue, 7);
    expect(result.degreesOfFreedom).toBeCloseTo(c.df, 9);
  });
});

describe('sample ratio mismatch', () => {
  it.each(reference.chisquare)('matches scipy chisquare for %#', (c) => {
    const result = sampleRatioMismatch(c.observed, c.weights);
    expect(result.statistic).toBeCloseTo(c.statistic, 9);
    expect(result.pValue).toBeCloseTo(c.pValue, 9);
  });
});
