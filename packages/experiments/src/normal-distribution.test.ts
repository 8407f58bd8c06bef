import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalPdf, normalQuantile } from './normal-distribution.ts';

// Values computed with scipy.stats.norm by reference/generate_sequential.py (committed with its output).
interface Reference {
  normal: { cdf: Array<{ z: number; value: number }>; quantile: Array<{ p: number; value: number }> };
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);

describe('normalCdf', () => {
  it.each(reference.normal.cdf)('matches scipy.stats.norm.cdf at z = $z', ({ z, value }) => {
    // Relative, so that the far lower tail (1e-300 at z = −37) is held to its own digits.
    expect(Math.abs(normalCdf(z) - value) / value).toBeLessThan(1e-12);
  });

  it('is symmetric and has the right limits', () => {
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.3) + normalCdf(-1.3)).toBeCloseTo(1, 15);
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
  });
});

describe('normalQuantile', () => {
  it.each(reference.normal.quantile)('matches scipy.stats.norm.ppf at p = $p', ({ p, value }) => {
    expect(normalQuantile(p)).toBeCloseTo(value, 13);
    expect(Math.abs(normalQuantile(p) - value)).toBeLessThanOrEqual(1e-14 * Math.abs(value) + 1e-16);
  });

  it('is infinite at 0 and 1 and inverts normalCdf', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
    for (const p of [1e-12, 0.003, 0.31, 0.77, 0.9999])
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 15);
  });
});
