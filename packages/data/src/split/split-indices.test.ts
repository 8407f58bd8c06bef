import { describe, expect, it } from 'vitest';
import { splitSpecSchema } from '@lathe/contract';
import { splitIndices } from './split-indices.ts';

const spec = (input: object) => splitSpecSchema.parse(input);
const all = (s: { train: number[]; validation: number[]; test: number[] }) =>
  [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);

describe('splitIndices', () => {
  it('random: a partition of every row, sized by the fractions, the same for the same seed', () => {
    const a = splitIndices(1000, spec({ strategy: 'random', seed: 1 }));
    expect(all(a)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([800, 100, 100]);
    expect(splitIndices(1000, spec({ strategy: 'random', seed: 1 }))).toEqual(a);
    expect(splitIndices(1000, spec({ strategy: 'random', seed: 2 })).test).not.toEqual(a.test);
    // Each part is in row order, so readers stream the content file once.
    expect(a.test).toEqual([...a.test].sort((x, y) => x - y));
  });

  it('stratified: every split keeps the label proportions', () => {
    const labels = Array.from({ length: 1000 }, (_, i) =>
      i % 10 < 7 ? 'common' : i % 10 < 9 ? 'mid' : 'rare',
    );
    const s = splitIndices(1000, spec({ strategy: 'stratified', seed: 3 }), { labels });
    expect(all(s)).toHaveLength(1000);
    for (const part of [s.train, s.validation, s.test]) {
      const count = (label: string) => part.filter((i) => labels[i] === label).length / part.length;
      expect(count('common')).toBeCloseTo(0.7, 2);
      expect(count('mid')).toBeCloseTo(0.2, 2);
      expect(count('rare')).toBeCloseTo(0.1, 2);
    }
  });

  it('time: the oldest rows train, the newest test', () => {
    const timestamps = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) * 1000);
    const s = splitIndices(
      100,
      spec({ strategy: 'time', fractions: { train: 0.6, validation: 0.2, test: 0.2 } }),
      { timestamps },
    );
    const latest = (part: number[]) => Math.max(...part.map((i) => timestamps[i]!));
    const earliest = (part: number[]) => Math.min(...part.map((i) => timestamps[i]!));
    expect(latest(s.train)).toBeLessThan(earliest(s.validation));
    expect(latest(s.validation)).toBeLessThan(earliest(s.test));
    expect(s.test).toHaveLength(20);
  });

  it('leave-last-n-out: per user, the last n by time to test and the n before to validation', () => {
    // Rows of three users, out of time order in the file.
    const users = ['a', 'a', 'a', 'a', 'b', 'b', 'c', 'a', 'b'];
    const timestamps = [5, 1, 3, 2, 10, 30, 7, 4, 20];
    const s = splitIndices(users.length, spec({ strategy: 'leave-last-n-out', n: 1 }), { users, timestamps });
    // a: times 1(1) 2(3) 3(2) 4(7) 5(0) → test row 0, validation row 7; b: 10(4) 20(8) 30(5) → test 5, validation 8; c: one row stays in train.
    expect(s.test).toEqual([0, 5]);
    expect(s.validation).toEqual([7, 8]);
    expect(s.train).toEqual([1, 2, 3, 4, 6]);
  });
});
