/**
 * Waits for `work` at most `timeoutMs`: past that, rejects with the error `onTimeout` makes
 * (which may also stop the work, e.g. abort its signal). The work itself is not cancelled by
 * this; the timer is cleared either way.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  timeoutMs: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
