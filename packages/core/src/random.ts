/**
 * Seeded pseudo-random numbers, for everything Lathe must be able to repeat (splits, samples,
 * shuffles, initialisation, test inputs): mulberry32 (Tommy Ettinger, public domain), a 32-bit
 * generator with period 2^32 that passes gjrand's tests for the sample sizes used here
 * (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c). Not for cryptography.
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
