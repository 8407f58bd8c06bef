import { describe, expect, it } from 'vitest';
import type { TabularRow } from '@lathe/contract';
import { TabularEncoder, TabularStatistics } from './tabular-encoder.ts';

const row = (features: TabularRow['features']): TabularRow => ({ features, target: '0' });

describe('tabular encoder', () => {
  it('one-hot encodes integer codes declared categorical (stored as strings), not standardised', () => {
    const stats = new TabularStatistics();
    for (let i = 0; i < 60; i++) stats.add(row({ SEGMENT: String((i % 3) + 1), TENURE: i }));
    const encoding = stats.build(32, 16);
    expect(encoding.numeric.map((c) => c.name)).toEqual(['TENURE']);
    expect(encoding.categorical).toEqual([{ name: 'SEGMENT', values: ['1', '2', '3'], encoding: 'one-hot' }]);
    const encoder = new TabularEncoder(encoding);
    expect(encoder.denseWidth).toBe(1 + 4);
    // A code sent as the number 3 (a gateway request) lands in the same slot as the string "3".
    const { dense } = encoder.encode([
      { features: { SEGMENT: 3, TENURE: 0 } },
      { features: { SEGMENT: '3', TENURE: 0 } },
    ]);
    expect([...dense.slice(1, 5)]).toEqual([0, 0, 0, 1]);
    expect([...dense.slice(6, 10)]).toEqual([0, 0, 0, 1]);
  });

  it('a numeric column that turns out to hold a string keeps the codes counted before it', () => {
    const stats = new TabularStatistics();
    for (let i = 0; i < 30; i++) stats.add(row({ REGION: (i % 2) + 1 }));
    stats.add(row({ REGION: 'unknown' }));
    for (let i = 0; i < 10; i++) stats.add(row({ REGION: 2 }));
    const [region] = stats.build(32, 16).categorical;
    // 15 × 1 and 15 + 10 × 2 seen as numbers, then one string: all of them count.
    expect(region).toEqual({ name: 'REGION', values: ['2', '1', 'unknown'], encoding: 'one-hot' });
  });
});
