import { describe, expect, it } from 'vitest';
import { crossValidatedValue, foldRows } from './folds.ts';

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
async function* numbers(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

describe('k-fold cross-validation on the training split', () => {
  it('each row validates in exactly one fold and trains in the others', async () => {
    const k = 3;
    const seen = new Map<number, number>();
    for (let index = 0; index < k; index++) {
      const fold = { k, index };
      const validation = await collect(foldRows(numbers(10), fold, 'validation'));
      const train = await collect(foldRows(numbers(10), fold, 'train'));
      expect([...validation, ...train].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(validation.every((v) => !train.includes(v))).toBe(true);
      for (const v of validation) seen.set(v, (seen.get(v) ?? 0) + 1);
    }
    expect([...seen.values()]).toEqual(new Array(10).fill(1));
    expect(await collect(foldRows(numbers(7), { k: 3, index: 1 }, 'validation'))).toEqual([1, 4]);
  });

  it('averages the folds once every fold has a value', () => {
    expect(crossValidatedValue([0.2, 0.4, 0.3], 3)).toBeCloseTo(0.3, 12);
    expect(crossValidatedValue([0.2, null, 0.3], 3)).toBeNull();
    expect(crossValidatedValue([0.2, 0.3], 3)).toBeNull();
  });
});
