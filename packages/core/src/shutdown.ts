/**
 * Graceful shutdown: on SIGTERM/SIGINT run the closers in order (stop taking work, finish or
 * release the current job, close connections), then exit. A second signal exits at once.
 */
import type { Logger } from 'pino';

export type Closer = { name: string; close: () => Promise<unknown> };

export function onShutdown(closers: Closer[], logger: Logger, options: { timeoutMs?: number } = {}): void {
  let shuttingDown = false;
  const handle = (signal: NodeJS.Signals) => {
    if (shuttingDown) process.exit(1);
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, options.timeoutMs ?? 30_000);
    timer.unref();
    void closeAll(closers, logger).then((ok) => process.exit(ok ? 0 : 1));
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}

export async function closeAll(closers: Closer[], logger: Logger): Promise<boolean> {
  let ok = true;
  for (const closer of closers) {
    try {
      await closer.close();
    } catch (error) {
      ok = false;
      logger.error({ err: error, closer: closer.name }, 'close failed');
    }
  }
  return ok;
}
