/**
 * Sends values one at a time and, while one is in flight, keeps only the latest of those that
 * arrive: for updates where only the newest matters (progress events). However often it is
 * called, at most one send is pending and one value waits, so a slow or absent receiver (Redis
 * down) neither queues a send per call nor makes the caller wait. `send` handles its own errors.
 */
export function latestOnly<T>(send: (value: T) => Promise<void>): (value: T) => void {
  let sending = false;
  let waiting: { value: T } | null = null;
  const push = (value: T): void => {
    if (sending) {
      waiting = { value };
      return;
    }
    sending = true;
    void send(value).finally(() => {
      sending = false;
      const next = waiting;
      waiting = null;
      if (next) push(next.value);
    });
  };
  return push;
}
