/**
 * The routing of each endpoint (its running A/B test, its active deployment), read from the
 * registry and reused for `ttlMs`: a promotion, a rollback or a new traffic step reaches the
 * gateway within that time, and a busy endpoint costs one registry read per `ttlMs`, not one
 * per request. Concurrent requests for a stale endpoint share one read.
 */
import { NotFoundError } from '@lathe/core';
import { routeUnit, type UnitRoute } from '@lathe/experiments';
import { endpointServing, type Registry } from '@lathe/registry';

export interface EndpointRouter {
  /** The route of `unitId` on `endpoint`; NotFoundError when nothing serves it. */
  route(endpoint: string, unitId: string): Promise<UnitRoute>;
}

export function createEndpointRouter(registry: Registry, options: { ttlMs: number; now?: () => number }): EndpointRouter {
  const now = options.now ?? (() => performance.now());
  const cache = new Map<string, { at: number; serving: ReturnType<typeof endpointServing> }>();
  const servingOf = (endpoint: string) => {
    const cached = cache.get(endpoint);
    if (cached && now() - cached.at < options.ttlMs) return cached.serving;
    const serving = endpointServing(registry, endpoint);
    cache.set(endpoint, { at: now(), serving });
    // A failed read is not reused.
    serving.catch(() => cache.get(endpoint)?.serving === serving && cache.delete(endpoint));
    return serving;
  };
  return {
    async route(endpoint, unitId) {
      const route = routeUnit(await servingOf(endpoint), unitId);
      if (!route) throw new NotFoundError('endpoint', endpoint);
      return route;
    },
  };
}
