/**
 * Telling "Postgres cannot be reached right now" (down, restarting, refusing connections, a
 * connection cut mid-query) apart from every other registry error, so that HTTP services answer
 * 503 "try again shortly" instead of a 500 that says nothing. The errors come in three shapes:
 * Prisma's (P1001 and friends, or a driver-adapter cause of kind DatabaseNotReachable), raw
 * queries' P2010 wrapping the driver's message, and pg's own (a socket error code, or a
 * SQLSTATE of class 08 "connection exception" or 57P01–57P03 "the server is shutting down /
 * starting up"). The cause chain is followed.
 */
import { LatheError } from '@lathe/core';

const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017']);
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const SHUTDOWN_STATES = new Set(['57P01', '57P02', '57P03']);
const MESSAGES =
  /Can't reach database server|Connection terminated|ECONNREFUSED|server closed the connection|timeout exceeded when trying to connect/i;

function unreachable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const e = error as {
    code?: unknown;
    message?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown } } };
    cause?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  if (
    PRISMA_CODES.has(code) ||
    SOCKET_CODES.has(code) ||
    SHUTDOWN_STATES.has(code) ||
    /^08[0-9A-Z]{3}$/.test(code)
  )
    return true;
  const kind = e.meta?.driverAdapterError?.cause?.kind;
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  if (code === 'P2010' && typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  // pg's own, codeless: a connection that ended or never opened in time (connectTimeoutMs),
  // and pg-pool's wait for a connection that never came.
  if (
    !code &&
    typeof e.message === 'string' &&
    /^(Connection terminated|timeout exceeded when trying to connect)/.test(e.message)
  )
    return true;
  return unreachable(e.cause, depth + 1);
}

/** The error as a 503 `registry_unavailable` when Postgres cannot be reached; undefined otherwise. */
export function registryUnavailable(error: unknown): LatheError | undefined {
  if (error instanceof LatheError || !unreachable(error)) return undefined;
  return new LatheError(
    'registry_unavailable',
    'the registry (Postgres) cannot be reached right now; retry shortly',
    { httpStatus: 503, cause: error },
  );
}

/** Whether the error means Postgres cannot be reached, raw or already turned into `registry_unavailable`. */
export function isRegistryUnavailable(error: unknown): boolean {
  return error instanceof LatheError ? error.code === 'registry_unavailable' : unreachable(error);
}
