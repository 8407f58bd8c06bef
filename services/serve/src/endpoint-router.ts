/**
 * The routing of each endpoint (its running A/B test, its active deployment), read from the
 * registry and reused for `ttlMs`: a promotion, a rollback or a new traffic step reaches the
 * gateway within that time, and a busy endpoint costs one registry read per `ttlMs`, not one
 * per request. Concurrent requests for a stale endpoint share one read.
 *
 * While the registry cannot be read (Postgres restarting), the last routing read is used for up
 * to `maxStaleMs`, so predictions go on; past that, or for an endpoint never read, 503.
 */
import { LatheError, NotFoundError, type Logger } from '@lathe/core';
import { routeUnit, type UnitRoute } from '@lathe/experiments';
import { endpointServing, type Registry } from '@lathe/registry';

export interface EndpointRouter {
  /** The route of `unitId` on `endpoint`; NotFoundError when nothing serves it. */
  route(endpoint: string, unitId: string): Promise<UnitRoute>;
}

type Serving = Awaited<ReturnType<typeof endpointServing>>;

interface Entry {
  /** When the current read started; reused until `ttlMs` after. */
  at: number;
  read: Promise<Serving>;
  /** The last successful read, for when the registry cannot be reached. */
  last?: { serving: Serving; at: number };
}

export function createEndpointRouter(
  registry: Registry,
  options: { ttlMs: number; maxStaleMs?: number; logger: Logger; now?: () => number },
): EndpointRouter {
  const now = options.now ?? (() => performance.now());
  const maxStaleMs = options.maxStaleMs ?? 5 * 60_000;
  const cache = new Map<string, Entry>();

  const servingOf = async (endpoint: string): Promise<Serving> => {
    let entry = cache.get(endpoint);
    if (!entry || now() - entry.at >= options.ttlMs) {
      const read = endpointServing(registry, endpoint);
      entry = { at: now(), read, ...(entry?.last ? { last: entry.last } : {}) };
      cache.set(endpoint, entry);
      const reading = entry;
      read.then(
        (serving) => (reading.last = { serving, at: now() }),
        () => cache.get(endpoint) === reading && (reading.at = -Infinity), // retried by the next request
      );
    }
    try {
      return await entry.read;
    } catch (error) {
      if (entry.last && now() - entry.last.at < maxStaleMs) {
        options.logger.warn({ err: error, endpoint }, 'registry unreachable: routing with the last read');
        return entry.last.serving;
      }
      throw new LatheError('registry_unavailable', `the routing of endpoint ${endpoint} cannot be read from the registry: ${(error as Error).message}`, { httpStatus: 503, cause: error });
    }
  };

  return {
    async route(endpoint, unitId) {
      const route = routeUnit(await servingOf(endpoint), unitId);
      if (!route) throw new NotFoundError('endpoint', endpoint);
      return route;
    },
  };
}
