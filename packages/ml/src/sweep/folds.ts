/**
 * k-fold cross-validation on the training split (Stone 1974): fold i validates on every k-th
 * training row starting at i and trains on the others. The split was drawn at random at ingest,
 * so these folds are random too, and each row validates exactly once across the k folds.
 */
import { z } from 'zod';

export const foldSchema = z.strictObject({
  k: z.number().int().min(2).max(10).describe('how many folds'),
  index: z.number().int().min(0).describe('which fold this run validates on (0-based)'),
});
export type Fold = z.infer<typeof foldSchema>;

export async function* foldRows<T>(
  rows: AsyncIterable<T>,
  fold: Fold,
  part: 'train' | 'validation',
): AsyncGenerator<T> {
  let position = 0;
  for await (const row of rows) {
    const held = position % fold.k === fold.index;
    if (held === (part === 'validation')) yield row;
    position++;
  }
}

/** The mean of the folds' values, or null until every fold has one. */
export function crossValidatedValue(values: readonly (number | null)[], k: number): number | null {
  if (values.length < k || values.some((v) => v === null || !Number.isFinite(v))) return null;
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}
