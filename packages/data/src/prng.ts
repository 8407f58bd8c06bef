/** Seeded randomness for splits, profile samples and the synthetic generator (see @lathe/core). */
import type { Random } from '@lathe/core';

export { mulberry32, type Random } from '@lathe/core';

/** Fisher–Yates (Knuth, TAOCP vol. 2, Algorithm P), in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(
  array: T,
  random: Random,
): T {
  for (let i = array.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const tmp = array[i] as number;
    array[i] = array[j] as number;
    array[j] = tmp;
  }
  return array;
}

/** A standard normal draw (Box–Muller), for the synthetic data generator. */
export function normal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
