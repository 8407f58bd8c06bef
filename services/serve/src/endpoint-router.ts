/**
 * The routing of each endpoint (its running A/B test, its active deployment), read from the
 * registry and reused for `ttlMs`: a promotion, a rollback or a new traffic step reaches the
 * gateway within that time, and a busy endpoint costs one registry read per `ttlMs`, not one
 * per request. Concurrent requests for a stale endpoint share one read. A route read a step
 * late is harmless by construction: coverage only grows, so a unit's arm is the same under
 * either step, and its events carry the step they were assigned under (see routing.ts).
 *
 * While the registry cannot be read (Postgres restarting), the last routing read is used for up
 * to `maxStaleMs`, so predictions go on; past that, or for an endpoint never read, 503.
 *
 * `assignmentSkew` is fault injection for testing the sample-ratio-mismatch alarm: that share of
 * the treatment's units is served (and recorded) as control, as a buggy assignment would. 0 in
 * production.
 */
import { NotFoundError, type Logger } from '@lathe/core';
import { bucketOf, rolloutPolicySchema, routeUnit, type UnitRoute } from '@lathe/experiments';
import { endpointServing, type Registry } from '@lathe/registry';
import { createReadCache, readThroughRegistry } from './read-cache.ts';

export type GatewayRoute = Omit<UnitRoute, 'abTest'> & {
  abTest: (NonNullable<UnitRoute['abTest']> & { slowThresholdMs: number }) | null;
};

export interface EndpointRouter {
  /** The route of `unitId` on `endpoint`; NotFoundError when nothing serves it. */
  route(endpoint: string, unitId: string): Promise<GatewayRoute>;
}

type Serving = Awaited<ReturnType<typeof endpointServing>> & { slowThresholdMs: number };

const DEFAULT_SLOW_MS = 1000;

export function createEndpointRouter(
  registry: Registry,
  options: {
    ttlMs: number;
    maxStaleMs?: number;
    logger: Logger;
    now?: () => number;
    assignmentSkew?: number;
  },
): EndpointRouter {
  const cache = createReadCache<Serving>(options);
  const read = async (endpoint: string): Promise<Serving> => {
    const serving = await endpointServing(registry, endpoint);
    const policy = serving.abTest ? rolloutPolicySchema.safeParse(serving.abTest.policy) : null;
    const slow =
      policy?.success && policy.data.guardrails.slowRequests !== false
        ? policy.data.guardrails.slowRequests.thresholdMs
        : DEFAULT_SLOW_MS;
    return { ...serving, slowThresholdMs: slow };
  };
  return {
    async route(endpoint, unitId) {
      const serving = await readThroughRegistry(cache, endpoint, () => read(endpoint), {
        logger: options.logger,
        what: `the routing of endpoint ${endpoint}`,
      });
      let route = routeUnit(serving, unitId);
      if (!route) throw new NotFoundError('endpoint', endpoint);
      const skew = options.assignmentSkew ?? 0;
      if (
        skew > 0 &&
        route.abTest &&
        serving.abTest &&
        route.abTest.variant !== 'control' &&
        bucketOf(`skew:${serving.abTest.salt}`, unitId) < skew
      ) {
        const control = serving.abTest.variants.find((v) => v.isControl)!;
        route = {
          ...route,
          modelVersionId: control.modelVersionId,
          abTest: { ...route.abTest, variantId: control.id, variant: control.name },
        };
      }
      return {
        ...route,
        abTest: route.abTest ? { ...route.abTest, slowThresholdMs: serving.slowThresholdMs } : null,
      };
    },
  };
}
