/** Deployments: list, get, and a direct deployment (no A/B test) of a model version to an endpoint. */
import {
  createDeploymentBody,
  deploymentSchema,
  idParams,
  listDeploymentsQuery,
  pageOf,
} from '@lathe/contract';
import { NotFoundError } from '@lathe/core';
import { getModelVersion, replaceDirectDeployment } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate } from '../pagination.ts';

export function registerDeploymentRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;

  routes.add({
    method: 'get',
    path: '/deployments',
    summary: 'List deployments',
    tag: 'deployments',
    query: listDeploymentsQuery,
    response: pageOf(deploymentSchema),
    handler: async ({ query }) =>
      paginate(query, (page) =>
        registry.deployment.findMany({
          where: {
            ...(query.endpoint ? { endpoint: query.endpoint } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.modelVersionId ? { modelVersionId: query.modelVersionId } : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          ...page,
        }),
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
      return deployment;
    },
  });

  routes.add({
    method: 'post',
    path: '/deployments',
    summary:
      'Deploy a model version directly to an endpoint (retires the endpoint’s active direct deployment)',
    tag: 'deployments',
    body: createDeploymentBody,
    status: 201,
    response: deploymentSchema,
    handler: async ({ req, body }) => {
      await getModelVersion(registry, body.modelVersionId);
      const deployment = await replaceDirectDeployment(registry, body);
      await audit(registry, req, {
        action: 'deployment.create',
        entity: 'deployment',
        entityId: deployment.id,
        after: deployment,
      });
      return deployment;
    },
  });
}
