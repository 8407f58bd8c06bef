import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logBeta, logGamma, regularizedIncompleteBeta } from './special-functions.ts';

// Values computed with scipy.special (and mpmath for exact log-betas) by
// reference/generate_sequential.py (committed with its output).
interface Reference {
  logGamma: Array<{ x: number; value: number }>;
  logBeta: Array<{ a: number; b: number; scipy: number; exact: number }>;
  incompleteBeta: Array<{ x: number; a: number; b: number; value: number; exact: number }>;
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);

/** |actual − expected| relative to |expected|, or absolute where |expected| is below 1. */
function error(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

describe('logGamma', () => {
  it.each(reference.logGamma)('matches scipy.special.gammaln at x = $x', ({ x, value }) => {
    // Relative 1e-13 (absolute below 1: log Γ has zeros at 1 and 2, where only absolute error is meaningful).
    expect(error(logGamma(x), value)).toBeLessThan(1e-13);
  });

  it('is +Infinity at the poles and for +Infinity', () => {
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
    expect(logGamma(Infinity)).toBe(Infinity);
  });

  it('satisfies log Γ(x + 1) = log Γ(x) + log x', () => {
    for (const x of [0.3, 1.7, 4.2, 33.3, 812.5]) {
      expect(error(logGamma(x + 1), logGamma(x) + Math.log(x))).toBeLessThan(1e-13);
    }
  });
});

describe('logBeta', () => {
  it.each(reference.logBeta)(
    'matches exact (mpmath) and scipy.special.betaln for ($a, $b)',
    ({ a, b, scipy, exact }) => {
      expect(error(logBeta(a, b), exact)).toBeLessThan(1e-14);
      // scipy subtracts log-gammas, losing digits when one argument is large and the other small.
      expect(error(logBeta(a, b), scipy)).toBeLessThan(1e-11);
      expect(logBeta(b, a)).toBe(logBeta(a, b));
    },
  );
});

describe('regularizedIncompleteBeta', () => {
  it.each(reference.incompleteBeta)(
    'matches the exact value and scipy.special.betainc at x = $x, a = $a, b = $b',
    ({ x, a, b, value, exact }) => {
      const result = regularizedIncompleteBeta(x, a, b);
      expect(Math.abs(result - exact) / exact).toBeLessThan(1e-12);
      // scipy's Cephes incbet is itself only good to ≈ 3e-10 relative for parameters in the thousands.
      expect(Math.abs(result - value) / value).toBeLessThan(5e-10);
    },
  );

  it('is 0 below the support, 1 above, and symmetric', () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(-1, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(regularizedIncompleteBeta(0.3, 2.5, 4)).toBeCloseTo(
      1 - regularizedIncompleteBeta(0.7, 4, 2.5),
      15,
    );
  });

  it('keeps full precision for a huge b, where 1 − x is rounded (I_x(1, b) = 1 − (1 − x)^b)', () => {
    for (const b of [1e3, 1e6, 1e8 + 1]) {
      for (const bx of [0.5, 2, 3.7, 10]) {
        const x = bx / b;
        const exact = -Math.expm1(b * Math.log1p(-x));
        expect(Math.abs(regularizedIncompleteBeta(x, 1, b) - exact) / exact).toBeLessThan(1e-13);
      }
    }
  });

  it('refuses non-positive shape parameters', () => {
    expect(() => regularizedIncompleteBeta(0.5, 0, 1)).toThrow(RangeError);
    expect(() => regularizedIncompleteBeta(0.5, 1, Number.NaN)).toThrow(RangeError);
  });
});
