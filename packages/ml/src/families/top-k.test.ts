import { describe, expect, it } from 'vitest';
import { topK } from './top-k.ts';

/** The reference: every position sorted by descending score (stable), the first k kept; NaN last. */
const bySort = (scores: number[], k: number) =>
  scores
    .map((score, j) => ({ score: Number.isNaN(score) ? -Infinity : score, j }))
    .sort((a, b) => b.score - a.score || a.j - b.j)
    .slice(0, Math.max(0, k))
    .map((x) => x.j);

describe('topK', () => {
  it('picks the positions a stable descending sort puts first, ties and NaN included', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 300; trial++) {
      const n = Math.floor(random() * 60);
      // Few distinct values: many ties.
      const scores = Array.from({ length: n }, () =>
        random() < 0.05 ? Number.NaN : Math.floor(random() * 8) / 4 - 1,
      );
      const k = Math.floor(random() * (n + 3));
      expect([...topK(n, k, (j) => scores[j]!)]).toEqual(bySort(scores, k));
    }
  });

  it('returns nothing for k <= 0 or no candidates, and everything ranked when k >= n', () => {
    expect([...topK(5, 0, (j) => j)]).toEqual([]);
    expect([...topK(5, -1, (j) => j)]).toEqual([]);
    expect([...topK(0, 10, () => 1)]).toEqual([]);
    expect([...topK(3, 10, (j) => [0.2, 0.9, 0.5][j]!)]).toEqual([1, 2, 0]);
  });
});
