/**
 * The trainer asks "stop?" between every batch — hundreds of times a second for small models —
 * and each answer from the registry is a Postgres round trip (`isCancelRequested`), which cost about
 * as much as a batch: checked every batch, the train handler ran at 0.52–0.75 of bare `model.fit`
 * (bench/train-overhead.ts; about 1.0 with this).
 * This asks the registry at most once per `intervalMs` (the first call always asks) and answers
 * `false` in between, so a cancel is seen within `intervalMs` plus one batch; `signal` (the
 * attempt lost its lock or the worker is shutting down) is free to read and read every time.
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
