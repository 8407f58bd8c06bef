/**
 * Seeded randomness for everything Lathe decides itself (shuffling, negative sampling, noise
 * seeds), so a run with the same seed sees the same batches. mulberry32: a 32-bit PRNG with a
 * full 2^32 period, plenty for shuffling (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c).
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
