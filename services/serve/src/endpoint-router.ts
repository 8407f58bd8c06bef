/**
 * The routing of each endpoint (its running A/B test, its active deployment), read from the
 * registry and reused for `ttlMs`: a promotion, a rollback or a new traffic step reaches the
 * gateway within that time, and a busy endpoint costs one registry read per `ttlMs`, not one
 * per request. Concurrent requests for a stale endpoint share one read.
 *
 * While the registry cannot be read (Postgres restarting), the last routing read is used for up
 * to `maxStaleMs`, so predictions go on; past that, or for an endpoint never read, 503.
 */
import { NotFoundError, type Logger } from '@lathe/core';
import { routeUnit, type UnitRoute } from '@lathe/experiments';
import { endpointServing, type Registry } from '@lathe/registry';
import { createReadCache, readThroughRegistry } from './read-cache.ts';

export interface EndpointRouter {
  /** The route of `unitId` on `endpoint`; NotFoundError when nothing serves it. */
  route(endpoint: string, unitId: string): Promise<UnitRoute>;
}

type Serving = Awaited<ReturnType<typeof endpointServing>>;

export function createEndpointRouter(
  registry: Registry,
  options: { ttlMs: number; maxStaleMs?: number; logger: Logger; now?: () => number },
): EndpointRouter {
  const cache = createReadCache<Serving>(options);
  return {
    async route(endpoint, unitId) {
      const serving = await readThroughRegistry(cache, endpoint, () => endpointServing(registry, endpoint), { logger: options.logger, what: `the routing of endpoint ${endpoint}` });
      const route = routeUnit(serving, unitId);
      if (!route) throw new NotFoundError('endpoint', endpoint);
      return route;
    },
  };
}
