/** gainsTable against pandas on the committed inputs of reference/gains-reference.json (generate_gains.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gainsMetrics, gainsTable } from './gains.ts';
import type { GainsRow } from './gains.ts';
import { isUndefinedMetric } from './metric-value.ts';

interface Case {
  name: string;
  y: number[];
  scores: number[];
  expected: GainsRow[];
}
const reference = JSON.parse(
  readFileSync(new URL('../../reference/gains-reference.json', import.meta.url), 'utf8'),
) as { fractions: number[]; cases: Case[] };

describe('cumulative gains and lift', () => {
  for (const c of reference.cases) {
    it(`matches pandas on ${c.name}`, () => {
      const table = gainsTable(c.y, c.scores, reference.fractions);
      if (isUndefinedMetric(table)) throw new Error(table.reason);
      expect(table).toHaveLength(c.expected.length);
      table.forEach((row, i) => {
        const want = c.expected[i]!;
        expect(row.rows).toBe(want.rows);
        expect(row.positives).toBe(want.positives);
        expect(row.capture).toBeCloseTo(want.capture, 12);
        expect(row.precision).toBeCloseTo(want.precision, 12);
        expect(row.lift).toBeCloseTo(want.lift, 12);
        expect(row.threshold).toBe(want.threshold);
      });
    });
  }

  it('names the headline rows for the gate, and is undefined without a positive', () => {
    // Top 10% of 20 rows = the 2 best scores, holding 1 of the 2 positives: capture 0.5, lift 5.
    const y = Array.from({ length: 20 }, (_, i) => (i === 0 || i === 15 ? 1 : 0));
    const scores = Array.from({ length: 20 }, (_, i) => 1 - i / 20);
    const table = gainsTable(y, scores);
    if (isUndefinedMetric(table)) throw new Error(table.reason);
    expect(gainsMetrics(table)).toMatchObject({
      captureTop10: 0.5,
      liftTop10: 5,
      captureTop5: 0.5,
      liftTop5: 10,
    });
    expect(gainsTable([0, 0], [0.2, 0.1])).toMatchObject({ undefined: true, code: 'no_positive' });
    expect(gainsTable([], [])).toMatchObject({ undefined: true, code: 'empty_input' });
  });
});
