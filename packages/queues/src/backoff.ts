/**
 * Retry delays: exponential, randomised and bounded ("equal jitter" from M. Brooker, Exponential
 * Backoff and Jitter, AWS Architecture Blog, 2015): d = min(cap, base·2^(n-1)); wait d/2 + U(0, d/2).
 * Half the delay is kept so a retry never fires at once; the random half spreads retries of
 * many runs that failed together (a Postgres restart) instead of having them hit it in lockstep.
 */
export const LATHE_BACKOFF = 'lathe-exponential-jitter';

export function jitteredBackoffMs(
  attemptsMade: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attemptsMade - 1);
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
