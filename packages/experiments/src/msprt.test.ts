import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { confidenceSequence, mixingVarianceForMde, msprt, nonInferiority } from './msprt.ts';

// Values from reference/generate_sequential.py (committed with its output): Λ and p by the hand
// formula in numpy, the interval endpoints by scipy.optimize.brentq on Λ(θ₀) = 1/α.
interface Reference {
  msprt: Array<{
    estimate: number;
    variance: number;
    mixingVariance: number;
    alpha: number;
    nullValue: number;
    logLikelihoodRatio: number;
    pValue: number;
    closedFormInterval: [number, number];
    interval: [number, number];
  }>;
  nonInferiority: Array<{
    estimate: number;
    variance: number;
    mixingVariance: number;
    alpha: number;
    margin: number;
    direction: 'higher_is_better' | 'lower_is_better';
    breached: boolean;
    confirmedNonInferior: boolean;
    bound: number;
  }>;
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);

describe('msprt', () => {
  it.each(reference.msprt)('matches the reference for estimate $estimate, V = $variance', (c) => {
    const result = msprt(c);
    expect(result.logLikelihoodRatio).toBeCloseTo(c.logLikelihoodRatio, 11);
    expect(result.pValue).toBeCloseTo(c.pValue, 12);
    expect(result.standardError).toBeCloseTo(Math.sqrt(c.variance), 15);
    // The closed-form half-width against the endpoints brentq found numerically.
    const scale = Math.max(1, Math.abs(c.estimate));
    expect(result.interval[0] / scale).toBeCloseTo(c.interval[0] / scale, 12);
    expect(result.interval[1] / scale).toBeCloseTo(c.interval[1] / scale, 12);
    expect(result.significant).toBe(c.pValue < c.alpha);
  });

  it('rejects exactly when the null value lies outside the confidence sequence', () => {
    for (const c of reference.msprt) {
      const result = msprt(c);
      const outside = c.nullValue < result.interval[0] || c.nullValue > result.interval[1];
      expect(result.significant).toBe(outside);
    }
  });

  it('gives a defined, uninformative answer when the variance is 0 or not finite', () => {
    for (const variance of [0, -1, Infinity, Number.NaN]) {
      const result = msprt({ estimate: 0.01, variance, mixingVariance: 1e-4, alpha: 0.05 });
      expect(result).toEqual({
        estimate: 0.01,
        standardError: Infinity,
        logLikelihoodRatio: 0,
        pValue: 1,
        interval: [-Infinity, Infinity],
        significant: false,
      });
    }
    expect(confidenceSequence({ estimate: 0, variance: 0, mixingVariance: 1, alpha: 0.05 })).toEqual([
      -Infinity,
      Infinity,
    ]);
  });

  it('refuses a mixing variance or alpha out of range', () => {
    expect(() => msprt({ estimate: 0, variance: 1, mixingVariance: 0, alpha: 0.05 })).toThrow(RangeError);
    expect(() => msprt({ estimate: 0, variance: 1, mixingVariance: 1, alpha: 1 })).toThrow(RangeError);
  });

  it('is wider than the fixed-horizon interval and narrows as data accrue', () => {
    const variances = [1e-3, 1e-4, 1e-5, 1e-6];
    const widths = variances.map((variance) => {
      const [lo, hi] = confidenceSequence({ estimate: 0, variance, mixingVariance: 1e-4, alpha: 0.05 });
      expect(hi).toBeGreaterThan(1.959963984540054 * Math.sqrt(variance));
      return hi - lo;
    });
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeLessThan(widths[i - 1]!);
  });
});

describe('mixingVarianceForMde', () => {
  it('is the squared minimum detectable effect', () => {
    expect(mixingVarianceForMde(0.02)).toBeCloseTo(0.0004, 18);
    expect(mixingVarianceForMde(-3)).toBe(9);
    expect(() => mixingVarianceForMde(0)).toThrow(RangeError);
  });
});

describe('nonInferiority', () => {
  it.each(reference.nonInferiority)('matches the reference for $direction, estimate $estimate', (c) => {
    const result = nonInferiority(c);
    expect(result.breached).toBe(c.breached);
    expect(result.confirmedNonInferior).toBe(c.confirmedNonInferior);
    expect(result.bound).toBeCloseTo(c.bound, 13);
  });

  it('uses the end of the two-sided sequence at 2α', () => {
    const input = { estimate: 0.004, variance: 2e-6, mixingVariance: 1e-4, alpha: 0.025 };
    const [lower, upper] = confidenceSequence({ ...input, alpha: 0.05 });
    expect(nonInferiority({ ...input, margin: 0.01, direction: 'higher_is_better' }).bound).toBe(lower);
    expect(nonInferiority({ ...input, margin: 0.01, direction: 'lower_is_better' }).bound).toBe(upper);
  });

  it('neither breaches nor confirms without information', () => {
    const result = nonInferiority({
      estimate: 0,
      variance: 0,
      mixingVariance: 1e-4,
      alpha: 0.05,
      margin: 0.01,
      direction: 'higher_is_better',
    });
    expect(result).toEqual({ breached: false, confirmedNonInferior: false, bound: -Infinity });
  });
});
