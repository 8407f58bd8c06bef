import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixedHorizonUnitsPerArm, sequentialUnitsForPower } from './sample-size.ts';

// Values by reference/generate_sequential.py: the closed form with scipy's norm quantiles, statsmodels'
// NormalIndPower.solve_power, and scipy.optimize.brentq on the sequential criterion.
interface Reference {
  fixedHorizon: Array<{
    baseline: number;
    standardDeviation: number;
    minimumDetectableEffect: number;
    alpha: number;
    power: number;
    treatmentShare: number;
    control: number;
    treatment: number;
    total: number;
    statsmodelsControl: number;
    statsmodelsTwoSidedControl: number;
  }>;
  sequentialPower: Array<{
    standardDeviation: number;
    minimumDetectableEffect: number;
    alpha: number;
    power: number;
    mixingVariance: number;
    treatmentShare: number;
    total: number;
  }>;
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);

function relative(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('fixedHorizonUnitsPerArm', () => {
  it.each(reference.fixedHorizon)(
    'matches scipy and statsmodels for sd $standardDeviation, share $treatmentShare',
    (c) => {
      const result = fixedHorizonUnitsPerArm(c);
      expect(relative(result.total, c.total)).toBeLessThan(1e-13);
      expect(relative(result.control, c.control)).toBeLessThan(1e-13);
      expect(relative(result.treatment, c.treatment)).toBeLessThan(1e-13);
      // statsmodels' solve_power with alternative='larger' at α/2 is the same formula; its root finder
      // stops at ≈ 2e-10 relative.
      expect(relative(result.control, c.statsmodelsControl)).toBeLessThan(1e-9);
      // Its two-sided power also counts wrong-direction rejections, so it asks for slightly fewer units.
      expect(result.control).toBeGreaterThanOrEqual(c.statsmodelsTwoSidedControl);
      expect(relative(result.control, c.statsmodelsTwoSidedControl)).toBeLessThan(1e-3);
    },
  );

  it('defaults to an even split', () => {
    const result = fixedHorizonUnitsPerArm({
      baseline: 0.1,
      standardDeviation: 0.3,
      minimumDetectableEffect: 0.01,
      alpha: 0.05,
      power: 0.8,
    });
    expect(result.control).toBe(result.treatment);
    expect(result.total).toBe(result.control + result.treatment);
  });

  it('needs nothing without noise and forever without an effect', () => {
    const base = { baseline: 1, standardDeviation: 2, minimumDetectableEffect: 0.5, alpha: 0.05, power: 0.8 };
    expect(fixedHorizonUnitsPerArm({ ...base, standardDeviation: 0 })).toEqual({
      control: 0,
      treatment: 0,
      total: 0,
    });
    expect(fixedHorizonUnitsPerArm({ ...base, standardDeviation: 0, minimumDetectableEffect: 0 }).total).toBe(
      0,
    );
    expect(fixedHorizonUnitsPerArm({ ...base, minimumDetectableEffect: 0 }).total).toBe(Infinity);
    expect(fixedHorizonUnitsPerArm({ ...base, minimumDetectableEffect: -0.5 })).toEqual(
      fixedHorizonUnitsPerArm(base),
    );
    expect(() => fixedHorizonUnitsPerArm({ ...base, treatmentShare: 1 })).toThrow(RangeError);
  });
});

describe('sequentialUnitsForPower', () => {
  it.each(reference.sequentialPower)('matches brentq for sd $standardDeviation, τ² $mixingVariance', (c) => {
    expect(relative(sequentialUnitsForPower(c).total, c.total)).toBeLessThan(1e-12);
  });

  it('needs more units than the fixed-horizon design', () => {
    const plan = { standardDeviation: 0.3, minimumDetectableEffect: 0.01, alpha: 0.05, power: 0.8 };
    const fixed = fixedHorizonUnitsPerArm({ ...plan, baseline: 0.1 }).total;
    expect(sequentialUnitsForPower({ ...plan, mixingVariance: 1e-4 }).total).toBeGreaterThan(fixed);
  });

  it('needs nothing without noise and forever without an effect', () => {
    const base = {
      standardDeviation: 1,
      minimumDetectableEffect: 0.2,
      alpha: 0.05,
      power: 0.8,
      mixingVariance: 0.04,
    };
    expect(sequentialUnitsForPower({ ...base, standardDeviation: 0 }).total).toBe(0);
    expect(sequentialUnitsForPower({ ...base, minimumDetectableEffect: 0 }).total).toBe(Infinity);
    expect(() => sequentialUnitsForPower({ ...base, power: 0.3 })).toThrow(RangeError);
    expect(() => sequentialUnitsForPower({ ...base, mixingVariance: 0 })).toThrow(RangeError);
  });
});
