import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalComparison } from './normal-posterior.ts';

// Values from scipy.stats.norm.cdf and scipy.integrate.quad of the partial expectations, by
// reference/generate_sequential.py (committed with its output).
interface Reference {
  normalPosterior: Array<{
    difference: number;
    standardError: number;
    probabilityPositive: number;
    expectedLossIfChooseTreatment: number;
    expectedLossIfChooseControl: number;
  }>;
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);

describe('normalComparison', () => {
  it.each(reference.normalPosterior)('matches scipy for difference $difference ± $standardError', (c) => {
    const result = normalComparison(c);
    const scale = Math.max(1, c.standardError);
    expect(result.probabilityPositive).toBeCloseTo(c.probabilityPositive, 14);
    expect(result.expectedLossIfChooseTreatment / scale).toBeCloseTo(
      c.expectedLossIfChooseTreatment / scale,
      13,
    );
    expect(result.expectedLossIfChooseControl / scale).toBeCloseTo(c.expectedLossIfChooseControl / scale, 13);
  });

  it('differs between the choices by the difference itself', () => {
    const { expectedLossIfChooseTreatment: t, expectedLossIfChooseControl: c } = normalComparison({
      difference: 0.7,
      standardError: 0.4,
    });
    expect(c - t).toBeCloseTo(0.7, 15);
  });

  it('treats a zero standard error as a point mass and an infinite one as no information', () => {
    expect(normalComparison({ difference: 0.2, standardError: 0 })).toEqual({
      probabilityPositive: 1,
      expectedLossIfChooseTreatment: 0,
      expectedLossIfChooseControl: 0.2,
    });
    expect(normalComparison({ difference: -0.2, standardError: 0 })).toEqual({
      probabilityPositive: 0,
      expectedLossIfChooseTreatment: 0.2,
      expectedLossIfChooseControl: 0,
    });
    expect(normalComparison({ difference: 0, standardError: 0 }).probabilityPositive).toBe(0.5);
    expect(normalComparison({ difference: 1, standardError: Infinity })).toEqual({
      probabilityPositive: 0.5,
      expectedLossIfChooseTreatment: Infinity,
      expectedLossIfChooseControl: Infinity,
    });
  });

  it('refuses a negative or NaN standard error', () => {
    expect(() => normalComparison({ difference: 0, standardError: -1 })).toThrow(RangeError);
    expect(() => normalComparison({ difference: 0, standardError: Number.NaN })).toThrow(RangeError);
  });
});
