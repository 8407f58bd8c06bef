import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CovariateArm, cupedComparison } from './cuped.ts';

// Seeded numpy data reduced to sufficient statistics, θ checked against statsmodels OLS of y on x with
// an arm dummy, by reference/generate_sequential.py (committed with its output).
interface Reference {
  cuped: Array<{
    name: string;
    control: CovariateArm;
    treatment: CovariateArm;
    theta: number;
    olsTheta: number;
    controlMean: number;
    treatmentMean: number;
    difference: number;
    variance: number;
    unadjustedVariance: number;
    varianceReduction: number;
  }>;
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);

function relative(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('cupedComparison', () => {
  it.each(reference.cuped)('matches numpy and statsmodels on the $name data', (c) => {
    const result = cupedComparison(c.control, c.treatment);
    // Sufficient statistics (Σy², Σxy) lose a few digits to cancellation against the raw data.
    expect(relative(result.theta, c.olsTheta)).toBeLessThan(1e-10);
    expect(relative(result.theta, c.theta)).toBeLessThan(1e-10);
    expect(relative(result.controlMean, c.controlMean)).toBeLessThan(1e-12);
    expect(relative(result.treatmentMean, c.treatmentMean)).toBeLessThan(1e-12);
    expect(relative(result.difference, c.difference)).toBeLessThan(1e-9);
    expect(relative(result.variance, c.variance)).toBeLessThan(1e-10);
    expect(relative(result.unadjustedVariance, c.unadjustedVariance)).toBeLessThan(1e-10);
    expect(result.varianceReduction).toBeCloseTo(c.varianceReduction, 10);
  });

  const arm = (units: number, y: number[], x: number[]): CovariateArm => ({
    units,
    sum: y.reduce((s, v) => s + v, 0),
    sumSquares: y.reduce((s, v) => s + v * v, 0),
    covariateSum: x.reduce((s, v) => s + v, 0),
    covariateSumSquares: x.reduce((s, v) => s + v * v, 0),
    crossSum: y.reduce((s, v, i) => s + v * x[i]!, 0),
  });

  it('does not adjust when the covariate is constant', () => {
    const result = cupedComparison(arm(3, [1, 2, 4], [3.1, 3.1, 3.1]), arm(3, [2, 3, 7], [3.1, 3.1, 3.1]));
    expect(result.theta).toBe(0);
    expect(result.varianceReduction).toBe(0);
    expect(result.variance).toBe(result.unadjustedVariance);
    expect(result.difference).toBeCloseTo(5 / 3, 14);
  });

  it('reports infinite variance, and no NaN, for empty or single-unit arms', () => {
    const empty = arm(0, [], []);
    for (const result of [
      cupedComparison(empty, empty),
      cupedComparison(empty, arm(1, [5], [2])),
      cupedComparison(arm(4, [1, 2, 3, 4], [1, 2, 2, 5]), arm(1, [5], [2])),
    ]) {
      for (const value of Object.values(result)) expect(Number.isNaN(value)).toBe(false);
      expect(result.variance).toBe(Infinity);
      expect(result.unadjustedVariance).toBe(Infinity);
      expect(result.varianceReduction).toBe(0);
    }
    expect(cupedComparison(empty, empty)).toMatchObject({
      theta: 0,
      controlMean: 0,
      treatmentMean: 0,
      difference: 0,
    });
  });

  it('has zero variance and no reduction when the metric is constant', () => {
    const result = cupedComparison(arm(3, [2, 2, 2], [1, 2, 3]), arm(3, [2, 2, 2], [3, 1, 2]));
    expect(result.variance).toBe(0);
    expect(result.unadjustedVariance).toBe(0);
    expect(result.varianceReduction).toBe(0);
  });
});
