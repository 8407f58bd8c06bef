import { describe, expect, it } from 'vitest';
import { Profiler } from './profile.ts';

describe('Profiler', () => {
  it('counts, missing, distinct, min/max/mean/std, quantiles, histogram and top values', () => {
    const profiler = new Profiler(2000);
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    for (const v of values) {
      profiler.addNumber('x', v);
      profiler.addCategory('c', v > 4 ? 'high' : 'low');
      profiler.addLabel(v > 4 ? 'high' : 'low');
      profiler.endRow();
    }
    profiler.addNumber('x', null);
    profiler.addCategory('c', null);
    profiler.endRow();
    const p = profiler.result();
    expect(p.rows).toBe(9);
    const x = p.columns.x!;
    if (x.kind !== 'numeric') throw new Error('x should be numeric');
    expect(x).toMatchObject({ count: 8, missing: 1, distinct: 5, min: 2, max: 9, mean: 5 });
    // Sample standard deviation (n − 1): sum of squares 32 over 7.
    expect(x.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(x.quantiles.p50).toBe(5);
    expect(x.histogram.reduce((s, b) => s + b.count, 0)).toBe(8);
    expect(x.histogram[0]).toMatchObject({ from: 2, count: 1 });
    expect(p.columns.c).toMatchObject({ kind: 'categorical', count: 8, missing: 1, distinct: 2, top: [{ value: 'high', count: 4 }, { value: 'low', count: 4 }] });
    expect(p.labels).toEqual({ high: 4, low: 4 });
  });

  it('keeps a bounded, seeded sample: the same data gives the same profile', () => {
    const run = () => {
      const profiler = new Profiler(100);
      for (let i = 0; i < 10_000; i++) profiler.addNumber('x', i);
      return profiler.result();
    };
    const a = run();
    const x = a.columns.x!;
    if (x.kind !== 'numeric') throw new Error('x should be numeric');
    expect(x.sample).toHaveLength(100);
    expect(x.count).toBe(10_000);
    expect(run()).toEqual(a);
  });
});
