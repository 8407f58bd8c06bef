/** Structured logs (pino). Bind `runId`/`stage` with `logger.child({ runId })`. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** `level` comes from the process's validated configuration (LATHE_LOG_LEVEL). */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({ name, level, base: { service: name } });
}

/** A logger that writes nothing, for tests and library callers who bring no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
