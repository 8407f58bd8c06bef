/**
 * Endpoints as a serving layer sees them: which model version answers a unit's request.
 * A running A/B test on the endpoint decides by the unit's assignment; otherwise the endpoint's
 * active deployment serves everyone.
 */
import { NotFoundError } from '@lathe/core';
import { routeUnit } from '@lathe/experiments';
import { endpointServing } from '@lathe/registry';
import type { ApiDeps } from '../deps.ts';
import { endpointParams, unitRouteQuery, unitRouteSchema } from '@lathe/contract';
import type { RouteTable } from '../openapi/route-table.ts';

export function registerEndpointRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;

  routes.add({
    method: 'get',
    path: '/endpoints/:endpoint/route',
    summary:
      "The model version that serves a unit on an endpoint: its variant's in the running A/B test, else the active deployment's",
    tag: 'deployments',
    params: endpointParams,
    query: unitRouteQuery,
    response: unitRouteSchema,
    handler: async ({ params, query }) => {
      const route = routeUnit(await endpointServing(registry, params.endpoint), query.unitId);
      if (!route) throw new NotFoundError('endpoint', params.endpoint);
      const { abTest } = route;
      return {
        endpoint: params.endpoint,
        unitId: query.unitId,
        modelVersionId: route.modelVersionId,
        abTest: abTest
          ? { id: abTest.id, name: abTest.name, step: abTest.step, variant: abTest.variant }
          : null,
        deploymentId: route.deploymentId,
      };
    },
  });
}
