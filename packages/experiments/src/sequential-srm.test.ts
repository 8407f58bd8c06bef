import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SRM_CONCENTRATION, type SrmStratum, sequentialSrm } from './sequential-srm.ts';

// Values from scipy.special.gammaln by reference/generate_sequential.py (committed with its output).
interface Reference {
  srm: Array<{ strata: SrmStratum[]; concentration: number; logBayesFactor: number; pValue: number }>;
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);

describe('sequentialSrm', () => {
  it.each(reference.srm)('matches the scipy Bayes factor for case %#', (c) => {
    const result = sequentialSrm(c.strata, { alpha: 0.001, concentration: c.concentration });
    // The Bayes factor is a small difference of log-gammas of size ≈ 1e5, each exact to 1e-16
    // relative: scipy and this code each land ≈ 2e-11 from the 40-digit value (checked with mpmath).
    expect(result.logBayesFactor).toBeCloseTo(c.logBayesFactor, 9);
    expect(result.pValue).toBeCloseTo(c.pValue, 10);
    expect(result.detected).toBe(c.pValue < 0.001);
  });

  it('defaults to a concentration of 1000', () => {
    const strata = [{ observed: [5300, 4700], weights: [1, 1] }];
    expect(DEFAULT_SRM_CONCENTRATION).toBe(1000);
    expect(sequentialSrm(strata, { alpha: 0.001 })).toEqual(
      sequentialSrm(strata, { alpha: 0.001, concentration: 1000 }),
    );
  });

  it('detects a real 52/48 imbalance by 40,000 units and not an exact 50/50 split', () => {
    expect(sequentialSrm([{ observed: [20800, 19200], weights: [50, 50] }], { alpha: 0.001 }).detected).toBe(
      true,
    );
    const balanced = sequentialSrm([{ observed: [20000, 20000], weights: [50, 50] }], { alpha: 0.001 });
    expect(balanced.detected).toBe(false);
    expect(balanced.pValue).toBe(1);
  });

  it('adds the evidence of successive traffic steps', () => {
    const first = { observed: [480, 520], weights: [1, 1] };
    const second = { observed: [9100, 870], weights: [90, 10] };
    const alone = [first, second].map((s) => sequentialSrm([s], { alpha: 0.01 }).logBayesFactor);
    expect(sequentialSrm([first, second], { alpha: 0.01 }).logBayesFactor).toBeCloseTo(
      alone[0]! + alone[1]!,
      12,
    );
  });

  it('ignores a variant with weight 0 and no units, and is certain when units reach it', () => {
    const withEmpty = sequentialSrm([{ observed: [510, 470, 0], weights: [1, 1, 0] }], { alpha: 0.001 });
    const without = sequentialSrm([{ observed: [510, 470], weights: [1, 1] }], { alpha: 0.001 });
    expect(withEmpty.logBayesFactor).toBe(without.logBayesFactor);
    expect(sequentialSrm([{ observed: [510, 470, 3], weights: [1, 1, 0] }], { alpha: 0.001 })).toEqual({
      logBayesFactor: Infinity,
      pValue: 0,
      detected: true,
    });
  });

  it('has no evidence without units or strata', () => {
    const none = { logBayesFactor: 0, pValue: 1, detected: false };
    expect(sequentialSrm([], { alpha: 0.001 })).toEqual(none);
    expect(sequentialSrm([{ observed: [0, 0], weights: [1, 1] }], { alpha: 0.001 })).toEqual(none);
    expect(sequentialSrm([{ observed: [0, 0], weights: [0, 0] }], { alpha: 0.001 })).toEqual(none);
  });

  it('refuses malformed strata and options', () => {
    expect(() => sequentialSrm([{ observed: [1, 2], weights: [1] }], { alpha: 0.001 })).toThrow(RangeError);
    expect(() => sequentialSrm([{ observed: [1, -2], weights: [1, 1] }], { alpha: 0.001 })).toThrow(
      RangeError,
    );
    expect(() => sequentialSrm([], { alpha: 0.001, concentration: 0 })).toThrow(RangeError);
  });
});
