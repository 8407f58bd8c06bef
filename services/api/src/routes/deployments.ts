/**
 * Deployments: list, get, and a deployment of a model version to an endpoint outside an A/B
 * test: direct (all traffic now), shadow (a copy of live traffic, compared with production's
 * answers) or blue-green (staged, warmed by the gateways, then switched to at once; switching
 * back is the same call on the standby). A shadow, or a blue-green candidate or standby, is ended
 * with POST /deployments/:id/stop (recorded on the deployment: stoppedAt, stopReason). A change
 * of what serves an endpoint is announced to
 * the gateways over Redis (the routing TTL stays their fallback).
 */
import {
  createDeploymentBody,
  deploymentSchema,
  idParams,
  listDeploymentsQuery,
  pageOf,
  stopDeploymentBody,
  switchDeploymentResponse,
} from '@lathe/contract';
import { NotFoundError } from '@lathe/core';
import { announceRoutingChange } from '@lathe/queues';
import {
  getModelVersion,
  replaceDirectDeployment,
  stageBlueGreenDeployment,
  startShadowDeployment,
  stopDeployment,
  switchDeployment,
  type Deployment,
} from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate } from '../pagination.ts';

const mean = (sum: number, n: number) => (n > 0 ? sum / n : null);

/** A deployment as the API sends it: a shadow's comparison sums become rates and means. */
export function deploymentResource(row: Deployment) {
  const {
    shadowRequests,
    shadowErrors,
    shadowAgreements,
    shadowScoreDeltaSum,
    shadowAbsScoreDeltaSum,
    shadowLatencyMsSum,
    primaryLatencyMsSum,
    ...rest
  } = row;
  const compared = shadowRequests - shadowErrors;
  return {
    ...rest,
    shadow:
      row.strategy === 'shadow'
        ? {
            answers: shadowRequests,
            errors: shadowErrors,
            agreementRate: mean(shadowAgreements, compared),
            meanScoreDelta: mean(shadowScoreDeltaSum, compared),
            meanAbsScoreDelta: mean(shadowAbsScoreDeltaSum, compared),
            meanShadowLatencyMs: mean(shadowLatencyMsSum, shadowRequests),
            meanProductionLatencyMs: mean(primaryLatencyMsSum, shadowRequests),
          }
        : null,
  };
}

export function registerDeploymentRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;
  const announce = (endpoint: string) =>
    announceRoutingChange(deps.redis, deps.config.queuePrefix, endpoint, deps.logger);

  routes.add({
    method: 'get',
    path: '/deployments',
    summary: 'List deployments',
    tag: 'deployments',
    query: listDeploymentsQuery,
    response: pageOf(deploymentSchema),
    handler: async ({ query }) =>
      paginate(query, async (page) =>
        (
          await registry.deployment.findMany({
            where: {
              ...(query.endpoint ? { endpoint: query.endpoint } : {}),
              ...(query.status ? { status: query.status } : {}),
              ...(query.modelVersionId ? { modelVersionId: query.modelVersionId } : {}),
            },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            ...page,
          })
        ).map(deploymentResource),
      ),
  });

  routes.add({
    method: 'get',
    path: '/deployments/:id',
    summary: 'Get a deployment',
    tag: 'deployments',
    params: idParams,
    response: deploymentSchema,
    handler: async ({ params }) => {
      const deployment = await registry.deployment.findUnique({ where: { id: params.id } });
      if (!deployment) throw new NotFoundError('deployment', params.id);
      return deploymentResource(deployment);
    },
  });

  routes.add({
    method: 'post',
    path: '/deployments',
    summary:
      'Deploy a model version to an endpoint: direct (retires the endpoint’s active direct deployment), shadow (mirrored traffic) or blue_green (staged and warmed, then switched to)',
    tag: 'deployments',
    body: createDeploymentBody,
    status: 201,
    response: deploymentSchema,
    handler: async ({ req, body }) => {
      await getModelVersion(registry, body.modelVersionId);
      const target = { endpoint: body.endpoint, modelVersionId: body.modelVersionId };
      const deployment =
        body.strategy === 'shadow'
          ? await startShadowDeployment(registry, target)
          : body.strategy === 'blue_green'
            ? await stageBlueGreenDeployment(registry, target)
            : await replaceDirectDeployment(registry, target);
      // Committed: the gateways hear of it first, the audit entry's write is not on their path.
      await announce(body.endpoint);
      await audit(registry, req, {
        action: 'deployment.create',
        entity: 'deployment',
        entityId: deployment.id,
        after: deployment,
      });
      return deploymentResource(deployment);
    },
  });

  routes.add({
    method: 'post',
    path: '/deployments/:id/switch',
    summary:
      'Switch all of the endpoint’s traffic to this warmed standby (a staged blue-green deployment, or the one the last switch replaced: switching back)',
    tag: 'deployments',
    params: idParams,
    response: switchDeploymentResponse,
    handler: async ({ req, params }) => {
      const { active, standby } = await switchDeployment(registry, params.id);
      await announce(active.endpoint);
      await audit(registry, req, {
        action: 'deployment.switch',
        entity: 'deployment',
        entityId: active.id,
        after: { active, standby },
      });
      return {
        active: deploymentResource(active),
        standby: standby ? deploymentResource(standby) : null,
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/deployments/:id/stop',
    summary:
      'End a rollout strategy: stop mirroring to a shadow, or drop a blue-green candidate or standby (retired, with stoppedAt and stopReason); the deployment serving the endpoint cannot be stopped (409 serving)',
    tag: 'deployments',
    params: idParams,
    body: stopDeploymentBody,
    response: deploymentSchema,
    handler: async ({ req, params, body }) => {
      const { deployment, before, changed } = await stopDeployment(registry, params.id, {
        reason: body.reason ?? 'stopped through the API',
      });
      if (changed) {
        await announce(deployment.endpoint);
        await audit(registry, req, {
          action: 'deployment.stop',
          entity: 'deployment',
          entityId: deployment.id,
          before,
          after: deployment,
        });
      }
      return deploymentResource(deployment);
    },
  });
}
