/**
 * The noise has the scale the formulas promise, over many seeded draws. Bounds are five
 * standard errors of each estimate, derived from the mechanism's own distribution, so a wrong
 * scale (a missing factor of 2, ε used as the scale) fails while sampling noise does not.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@lathe/core';
import { laplacePerturb, laplaceSample, laplaceScale } from './laplace-mechanism.ts';
import { estimateShares, keepProbability, randomisedResponse } from './randomised-response.ts';

const N = 40_000;

function meanAndVariance(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('Laplace mechanism (Dwork, McSherry, Nissim & Smith 2006)', () => {
  it.each([
    { epsilon: 0.5, lower: 0, upper: 100 },
    { epsilon: 2, lower: -1, upper: 1 },
    { epsilon: 1, lower: 18, upper: 90 },
  ])('ε=$epsilon on [$lower, $upper]: variance 2(Δ/ε)², mean the clipped value', (p) => {
    const b = laplaceScale(p);
    expect(b).toBeCloseTo((p.upper - p.lower) / p.epsilon, 12);
    const random = mulberry32(1234);
    const value = (p.lower + p.upper) / 2;
    const draws = Array.from({ length: N }, () => laplacePerturb(value, p, random));
    const { mean, variance } = meanAndVariance(draws);
    // Laplace(0, b): Var = 2b², fourth central moment 24b⁴, so Var(s²) ≈ (24b⁴ − 4b⁴)/n.
    const varianceSe = Math.sqrt(20 / N) * b * b;
    expect(Math.abs(variance - 2 * b * b)).toBeLessThan(5 * varianceSe);
    expect(Math.abs(mean - value)).toBeLessThan(5 * Math.sqrt((2 * b * b) / N));
    // Median absolute deviation of Laplace(0, b) is b ln 2.
    const deviations = draws.map((x) => Math.abs(x - value)).sort((x, y) => x - y);
    expect(deviations[N / 2]! / (b * Math.LN2)).toBeGreaterThan(0.97);
    expect(deviations[N / 2]! / (b * Math.LN2)).toBeLessThan(1.03);
  });

  it('clips before adding noise: a value past a bound is released around the bound', () => {
    const p = { epsilon: 1, lower: 0, upper: 10 };
    const random = mulberry32(9);
    const draws = Array.from({ length: N }, () => laplacePerturb(1_000_000, p, random));
    const b = laplaceScale(p);
    expect(Math.abs(meanAndVariance(draws).mean - 10)).toBeLessThan(5 * Math.sqrt((2 * b * b) / N));
  });

  it('a draw is always finite, even at the edge of the uniform', () => {
    expect(Number.isFinite(laplaceSample(1, () => 0))).toBe(true);
    expect(laplaceSample(1, () => 0.5)).toBe(-0); // u = 0: no noise
  });
});

describe('randomised response (Warner 1965; k-ary: Kairouz, Oh & Viswanath 2016)', () => {
  const categories = ['north', 'south', 'east', 'west'];

  it.each([0.5, 1, 3])('ε=%s: keeps the truth with p = e^ε/(e^ε+k−1), the others each q', (epsilon) => {
    const p = keepProbability(epsilon, categories.length);
    expect(p / ((1 - p) / 3)).toBeCloseTo(Math.exp(epsilon), 10); // p/q = e^ε: ε-DP
    const random = mulberry32(77);
    const counts: Record<string, number> = {};
    for (let i = 0; i < N; i++) {
      const reported = randomisedResponse('north', categories, epsilon, random);
      counts[reported] = (counts[reported] ?? 0) + 1;
    }
    const q = (1 - p) / 3;
    const se = (x: number) => Math.sqrt((x * (1 - x)) / N);
    expect(Math.abs(counts.north! / N - p)).toBeLessThan(5 * se(p));
    for (const other of ['south', 'east', 'west'])
      expect(Math.abs(counts[other]! / N - q)).toBeLessThan(5 * se(q));
  });

  it('the unbiased estimator recovers the true shares within their standard error', () => {
    const epsilon = 1;
    const truth = { north: 0.5, south: 0.3, east: 0.15, west: 0.05 };
    const random = mulberry32(5);
    const reported: Record<string, number> = {};
    for (const [category, share] of Object.entries(truth))
      for (let i = 0; i < share * N; i++) {
        const r = randomisedResponse(category, categories, epsilon, random);
        reported[r] = (reported[r] ?? 0) + 1;
      }
    const estimate = estimateShares(reported, categories, epsilon);
    const p = keepProbability(epsilon, 4);
    const q = (1 - p) / 3;
    for (const [category, share] of Object.entries(truth)) {
      const f = share * p + (1 - share) * q; // expected reported share
      const se = Math.sqrt((f * (1 - f)) / N) / (p - q);
      expect(Math.abs(estimate[category]! - share)).toBeLessThan(5 * se);
    }
  });
});
