import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, twoProportionZTest } from './two-proportion-z-test.ts';

describe('normal distribution', () => {
  it('matches tabulated values of Φ and its quantiles', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-2.575829)).toBeCloseTo(0.005, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
  });
});

describe('two-proportion z-test', () => {
  it('matches a reference computed with Python math.erfc (200/1000 vs 250/1000)', () => {
    // Reference (double precision, math.erfc): z² = 7.168459 (prop.test(correct = FALSE)'s
    // X-squared), p = 0.00741965, unpooled 95% interval of p2 − p1 = [0.0134636, 0.0865364].
    const result = twoProportionZTest({ conversions: 200, exposures: 1000 }, { conversions: 250, exposures: 1000 });
    expect(result.z! ** 2).toBeCloseTo(7.168459, 5);
    expect(result.pValue!).toBeCloseTo(0.00741965, 6);
    expect(result.confidenceInterval![0]).toBeCloseTo(0.0134636, 6);
    expect(result.confidenceInterval![1]).toBeCloseTo(0.0865364, 6);
    expect(result.relativeLift).toBeCloseTo(0.25, 10);
    expect(result.significant).toBe(true);
  });

  it('is not significant for equal rates and gives no statistic without exposures', () => {
    const equal = twoProportionZTest({ conversions: 50, exposures: 500 }, { conversions: 50, exposures: 500 });
    expect(equal.z).toBe(0);
    expect(equal.pValue!).toBeCloseTo(1, 6);
    expect(equal.significant).toBe(false);
    expect(twoProportionZTest({ conversions: 0, exposures: 0 }, { conversions: 3, exposures: 10 })).toMatchObject({ z: null, pValue: null, significant: false });
  });
});
