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
    expect(p.columns.c).toMatchObject({
      kind: 'categorical',
      count: 8,
      missing: 1,
      distinct: 2,
      top: [
        { value: 'high', count: 4 },
        { value: 'low', count: 4 },
      ],
    });
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

  it('distinct is exact up to 10,000 values, then a k-minimum-values estimate within a few percent', () => {
    const profiler = new Profiler(100);
    // 10,000 distinct values exactly: still exact. 60,000 distinct, each seen twice: estimated.
    for (let i = 0; i < 10_000; i++) profiler.addCategory('few', `v${i % 10_000}`);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 60_000; i++) {
        profiler.addNumber('x', i * 0.5);
        profiler.addCategory('id', `user-${i}`);
      }
    }
    const p = profiler.result();
    expect(p.columns.few).toMatchObject({ distinct: 10_000, distinctCapped: false });
    for (const name of ['x', 'id']) {
      const column = p.columns[name]!;
      expect(column.distinctCapped).toBe(true);
      // Relative standard error of the sketch is 1/√1022 ≈ 3.1%; 12% is about four of them.
      expect(Math.abs(column.distinct - 60_000) / 60_000).toBeLessThan(0.12);
    }
    const id = p.columns.id!;
    if (id.kind !== 'categorical') throw new Error('id should be categorical');
    expect(id.count).toBe(120_000);
    expect(Object.keys(id.counts)).toHaveLength(10_000); // counts stay bounded
  });

  it('pixel mean and (population) std over every pixel, per channel', () => {
    const profiler = new Profiler();
    // Two 1×2 RGB images: channel 0 values 0,10,20,30; channel 1 all 100; channel 2 0,0,0,255.
    profiler.addPixels(Uint8Array.from([0, 100, 0, 10, 100, 0]), 3);
    profiler.addPixels(Uint8Array.from([20, 100, 0, 30, 100, 255]), 3);
    const image = profiler.result().image!;
    expect(image.pixels).toBe(12);
    expect(image.channels[0]!.mean).toBe(15);
    expect(image.channels[0]!.std).toBeCloseTo(Math.sqrt(125), 12);
    expect(image.channels[1]).toEqual({ mean: 100, std: 0 });
    const all = [0, 10, 20, 30, 100, 100, 100, 100, 0, 0, 0, 255];
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    expect(image.mean).toBeCloseTo(mean, 12);
    expect(image.std).toBeCloseTo(Math.sqrt(all.reduce((a, v) => a + (v - mean) ** 2, 0) / all.length), 10);
  });
});
