import { describe, expect, it } from 'vitest';
import { assignVariant, bucketOf, bucketRanges, fnv1a32, variantOfUnit } from './assignment.ts';
import { sampleRatioMismatch } from './statistics.ts';

describe('assignment', () => {
  it('implements 32-bit FNV-1a (published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('is deterministic and depends on the salt', () => {
    expect(bucketOf('salt-1', 'user-42')).toBe(bucketOf('salt-1', 'user-42'));
    const differing = Array.from(
      { length: 100 },
      (_, i) => bucketOf('a', `u${i}`) !== bucketOf('b', `u${i}`),
    ).filter(Boolean);
    expect(differing.length).toBeGreaterThan(90);
  });

  it('splits 100,000 units in proportion to the weights (no sample ratio mismatch)', () => {
    const variants = [
      { name: 'control', weight: 0.8 },
      { name: 'treatment', weight: 0.2 },
    ];
    const counts = { control: 0, treatment: 0 };
    for (let i = 0; i < 100_000; i++)
      counts[assignVariant('exp-1', `user-${i}`, variants) as 'control' | 'treatment'] += 1;
    expect(counts.control + counts.treatment).toBe(100_000);
    expect(sampleRatioMismatch([counts.control, counts.treatment], [0.8, 0.2]).pValue).toBeGreaterThan(0.001);
    expect(counts.treatment / 100_000).toBeGreaterThan(0.19);
    expect(counts.treatment / 100_000).toBeLessThan(0.21);
  });

  it('keeps a unit in its variant when coverage grows', () => {
    const variants = [
      { name: 'control', weight: 1 },
      { name: 'treatment', weight: 1 },
    ];
    for (let i = 0; i < 2_000; i++) {
      const atTen = assignVariant('s', `u${i}`, variants, 0.1);
      if (atTen !== null) expect(assignVariant('s', `u${i}`, variants, 0.5)).toBe(atTen);
    }
  });

  it('refuses weights that do not make sense', () => {
    expect(() => bucketRanges([0, 0])).toThrow(RangeError);
    expect(() => bucketRanges([1, -1])).toThrow(RangeError);
  });

  it('assigns a unit the same variant whatever order the variants are held in, the control laid out first', () => {
    const control = { name: 'control', isControl: true, weight: 0.8 };
    const treatment = { name: 'treatment', isControl: false, weight: 0.2 };
    const test = { salt: 's1', variants: [control, treatment] };
    const reversed = { salt: 's1', variants: [treatment, control] };
    let treated = 0;
    for (let u = 0; u < 10_000; u++) {
      const unit = `unit-${u}`;
      const variant = variantOfUnit(test, unit);
      expect(variantOfUnit(reversed, unit)).toBe(variant);
      // The control's range comes first: the same answer as assignVariant with that order.
      expect(variant?.name).toBe(assignVariant('s1', unit, [control, treatment]));
      if (variant === treatment) treated++;
    }
    expect(treated / 10_000).toBeGreaterThan(0.18);
    expect(treated / 10_000).toBeLessThan(0.22);
  });
});
