/**
 * The registry half of "should this stage stop?": a cancel request is looked up in Postgres
 * (`isCancelRequested`, one round trip) at most once per `intervalMs`; the first call always
 * asks, and a stop, once seen, stays a stop. Handlers ask between every batch, hundreds of times
 * a second for small models; asked every time, the lookup cost about as much as a batch (the
 * train handler ran at 0.52–0.75 of bare `model.fit`, bench/train-overhead.ts). The other half
 * is pushed (cancel-signals.ts), so this poll only covers a cancel message that was lost.
 */
export function throttledStopCheck(
  check: () => Promise<boolean>,
  options: { intervalMs: number; signal?: AbortSignal; now?: () => number },
): () => Promise<boolean> {
  const now = options.now ?? (() => performance.now());
  let askedAt = -Infinity;
  let stopped = false;
  return async () => {
    if (stopped || options.signal?.aborted) return true;
    if (now() - askedAt < options.intervalMs) return false;
    askedAt = now();
    stopped = await check();
    return stopped;
  };
}
