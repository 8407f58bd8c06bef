import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, holm } from './multiple-testing.ts';

// Values from statsmodels.stats.multitest.multipletests by reference/generate_sequential.py.
interface Adjustment {
  adjusted: number[];
  rejected: boolean[];
}
interface Reference {
  multipleTesting: Array<{
    pValues: number[];
    alpha: number;
    holm: Adjustment;
    benjaminiHochberg: Adjustment;
  }>;
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);

describe.each([
  ['holm', holm],
  ['benjaminiHochberg', benjaminiHochberg],
] as const)('%s', (method, adjust) => {
  it.each(reference.multipleTesting)('matches statsmodels for $pValues at alpha $alpha', (c) => {
    const result = adjust(c.pValues, c.alpha);
    // Same operations in the same order as statsmodels: equal to the last bit.
    expect(result.adjusted).toEqual(c[method].adjusted);
    expect(result.rejected).toEqual(c[method].rejected);
  });

  it('does not modify its input and refuses p-values outside [0, 1]', () => {
    const pValues = [0.3, 0.01, 0.2];
    adjust(pValues, 0.05);
    expect(pValues).toEqual([0.3, 0.01, 0.2]);
    expect(() => adjust([0.1, 1.2], 0.05)).toThrow(RangeError);
    expect(() => adjust([0.1, Number.NaN], 0.05)).toThrow(RangeError);
    expect(() => adjust([0.1], 0)).toThrow(RangeError);
  });
});
