/**
 * Seeded randomness for everything Lathe decides itself (shuffling, negative sampling, noise
 * seeds), so a run with the same seed sees the same batches: @lathe/core's mulberry32, its seed
 * mixed with a constant so that a run's seed 1 and a split's seed 1 give unrelated streams.
 */
import { mulberry32, type Random } from '@lathe/core';

export type { Random } from '@lathe/core';

export function seededRandom(seed: number): Random {
  return mulberry32((seed >>> 0) ^ 0x9e3779b9);
}

/** A seed for a sub-stream (epoch, layer, …): distinct inputs give unrelated streams. */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = seed >>> 0;
  for (const p of parts) h = Math.imul(h ^ (p + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Fisher–Yates in place. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
