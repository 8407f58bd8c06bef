/**
 * The routing of each endpoint (its running A/B test, its active deployment), read from the
 * registry and reused for `ttlMs`: a promotion, a rollback or a new traffic step reaches the
 * gateway within that time, and a busy endpoint costs one registry read per `ttlMs`, not one
 * per request. Concurrent requests for a stale endpoint share one read. A route read a step
 * late is harmless by construction: coverage only grows, so a unit's arm is the same under
 * either step, and its events carry the step they were assigned under (see routing.ts).
 *
 * Beside what serves the endpoint, the routing names its shadow deployment (mirrored traffic)
 * and its blue-green standby (kept warm). A change announced over Redis (routing-changes.ts)
 * expires the endpoint's routing at once; the TTL stays the fallback.
 *
 * While the registry cannot be read (Postgres restarting), the last routing read is used for up
 * to `maxStaleMs`, so predictions go on; past that, or for an endpoint never read, 503.
 *
 * `assignmentSkew` is fault injection for testing the sample-ratio-mismatch alarm: that share of
 * the treatment's units is served (and recorded) as control, as a buggy assignment would. 0 in
 * production.
 */
import { HttpProblem, NotFoundError, type Logger } from '@lathe/core';
import { bucketOf, rolloutPolicySchema, routeUnit, type UnitRoute } from '@lathe/experiments';
import { endpointRollout, endpointServing, type EndpointRollout, type Registry } from '@lathe/registry';
import { createReadCache, readThroughRegistry } from './read-cache.ts';

export type GatewayRoute = Omit<UnitRoute, 'abTest'> & {
  abTest: (NonNullable<UnitRoute['abTest']> & { slowThresholdMs: number }) | null;
  /** The endpoint's shadow deployment: requests are mirrored to it (outside A/B tests). */
  shadow: { deploymentId: string; modelVersionId: string } | null;
  /** The endpoint's blue-green standby, kept loaded and warm so a switch is instant. */
  standby: { deploymentId: string; modelVersionId: string; warmed: boolean } | null;
};

export interface EndpointRouter {
  /**
   * The route of `unitId` on `endpoint`; NotFoundError when nothing serves it, 422 when an A/B
   * test runs there and no unit is given (the test cannot assign an arm).
   */
  route(endpoint: string, unitId: string | undefined): Promise<GatewayRoute>;
  /** The next request for `endpoint` reads its routing again (a change was announced). */
  expire(endpoint: string): void;
}

type Serving = Awaited<ReturnType<typeof endpointServing>> & EndpointRollout & { slowThresholdMs: number };

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
    const [serving, rollout] = await Promise.all([
      endpointServing(registry, endpoint),
      endpointRollout(registry, endpoint),
    ]);
    const policy = serving.abTest ? rolloutPolicySchema.safeParse(serving.abTest.policy) : null;
    const slow =
      policy?.success && policy.data.guardrails.slowRequests !== false
        ? policy.data.guardrails.slowRequests.thresholdMs
        : DEFAULT_SLOW_MS;
    return { ...serving, ...rollout, slowThresholdMs: slow };
  };
  return {
    async route(endpoint, unitId) {
      const serving = await readThroughRegistry(cache, endpoint, () => read(endpoint), {
        logger: options.logger,
        what: `the routing of endpoint ${endpoint}`,
      });
      if (serving.abTest && unitId === undefined)
        throw new HttpProblem(
          422,
          'unit_id_required',
          `A/B test ${serving.abTest.name} runs on endpoint ${endpoint}: send a unitId (the shopper or session it assigns to an arm)`,
          [{ field: 'body.unitId', message: 'required while an A/B test runs on the endpoint' }],
        );
      let route = routeUnit(serving, unitId ?? '');
      if (!route) throw new NotFoundError('endpoint', endpoint);
      const skew = options.assignmentSkew ?? 0;
      if (
        skew > 0 &&
        route.abTest &&
        serving.abTest &&
        route.abTest.variant !== 'control' &&
        bucketOf(`skew:${serving.abTest.salt}`, unitId ?? '') < skew
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
        // Mirrored traffic would blur an A/B test's latency guardrail: shadows wait for its end.
        shadow:
          serving.shadow && !route.abTest
            ? { deploymentId: serving.shadow.id, modelVersionId: serving.shadow.modelVersionId }
            : null,
        standby: serving.standby
          ? {
              deploymentId: serving.standby.id,
              modelVersionId: serving.standby.modelVersionId,
              warmed: serving.standby.warmedAt !== null,
            }
          : null,
      };
    },
    expire: (endpoint) => cache.expire(endpoint),
  };
}
