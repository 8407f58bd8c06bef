/**
 * Experiments: CRUD with hyperparameters validated per model family, gate thresholds and
 * rollout policy. Updates and archiving need If-Match with the ETag (the revision): a stale
 * one is 412, so two editors cannot silently overwrite each other.
 */
import {
  createExperimentBody,
  experimentSchema,
  idParams,
  ifMatchHeader,
  listExperimentsQuery,
  pageOf,
  updateExperimentBody,
} from '@lathe/contract';
import { createExperiment, getExperiment, updateExperiment, type Json } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { asPreconditionFailed, requiredIfMatch, setEtag } from '../etag.ts';
import { acceptAnyHyperparameters, hyperparameterChecker } from '../hyperparameters.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate, sortOrder } from '../pagination.ts';

export function registerExperimentRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;
  const checker = hyperparameterChecker(deps.validateHyperparameters ?? acceptAnyHyperparameters, 'body.');
  const checkHyperparameters = (family: string, input: unknown): Json => checker(family, input) as Json;

  routes.add({
    method: 'post',
    path: '/experiments',
    summary: 'Create an experiment',
    tag: 'experiments',
    body: createExperimentBody,
    status: 201,
    response: experimentSchema,
    handler: async ({ req, res, body }) => {
      const hyperparameters = checkHyperparameters(body.modelFamily, body.hyperparameters);
      const experiment = await createExperiment(registry, {
        ...body,
        hyperparameters,
        gate: body.gate as Json,
        rolloutPolicy: body.rolloutPolicy as Json,
        source: (body.source ?? null) as Json | null,
      });
      await audit(registry, req, {
        action: 'experiment.create',
        entity: 'experiment',
        entityId: experiment.id,
        after: experiment,
      });
      setEtag(res, experiment.revision);
      res.location(`/experiments/${experiment.id}`);
      return experiment;
    },
  });

  routes.add({
    method: 'get',
    path: '/experiments',
    summary: 'List experiments',
    tag: 'experiments',
    query: listExperimentsQuery,
    response: pageOf(experimentSchema),
    handler: async ({ query }) =>
      paginate(query, (page) =>
        registry.experiment.findMany({
          where: {
            ...(query.useCase ? { useCase: query.useCase } : {}),
            ...(query.name ? { name: query.name } : {}),
            ...(query.modelFamily ? { modelFamily: query.modelFamily } : {}),
            ...(query.datasetId ? { datasetId: query.datasetId } : {}),
            ...(query.archived === 'all'
              ? {}
              : { archivedAt: query.archived === 'true' ? { not: null } : null }),
          },
          orderBy: sortOrder(query.sort),
          ...page,
        }),
      ),
  });

  routes.add({
    method: 'get',
    path: '/experiments/:id',
    summary: 'Get an experiment (ETag: its revision)',
    tag: 'experiments',
    params: idParams,
    response: experimentSchema,
    handler: async ({ res, params }) => {
      const experiment = await getExperiment(registry, params.id);
      setEtag(res, experiment.revision);
      return experiment;
    },
  });

  routes.add({
    method: 'patch',
    path: '/experiments/:id',
    summary: 'Update an experiment; needs If-Match (412 when stale)',
    tag: 'experiments',
    params: idParams,
    headers: ifMatchHeader,
    body: updateExperimentBody,
    response: experimentSchema,
    handler: async ({ req, res, params, body }) => {
      const before = await getExperiment(registry, params.id);
      const expected = requiredIfMatch(req, `experiment ${params.id}`);
      const { gate, rolloutPolicy, source, hyperparameters, ...rest } = body;
      const family = body.modelFamily ?? before.modelFamily;
      const patch = {
        ...rest,
        ...(hyperparameters !== undefined || body.modelFamily !== undefined
          ? { hyperparameters: checkHyperparameters(family, hyperparameters ?? before.hyperparameters) }
          : {}),
        ...(gate !== undefined ? { gate: gate as Json } : {}),
        ...(rolloutPolicy !== undefined ? { rolloutPolicy: rolloutPolicy as Json } : {}),
        ...(source !== undefined ? { source: source as Json | null } : {}),
      };
      const updated = await updateExperiment(registry, params.id, patch, expected).catch(
        asPreconditionFailed,
      );
      await audit(registry, req, {
        action: 'experiment.update',
        entity: 'experiment',
        entityId: updated.id,
        before,
        after: updated,
      });
      setEtag(res, updated.revision);
      return updated;
    },
  });

  routes.add({
    method: 'delete',
    path: '/experiments/:id',
    summary: 'Archive an experiment (its runs and models stay); needs If-Match',
    tag: 'experiments',
    params: idParams,
    headers: ifMatchHeader,
    response: experimentSchema,
    handler: async ({ req, res, params }) => {
      const before = await getExperiment(registry, params.id);
      const expected = requiredIfMatch(req, `experiment ${params.id}`);
      const updated = await updateExperiment(registry, params.id, { archived: true }, expected).catch(
        asPreconditionFailed,
      );
      await audit(registry, req, {
        action: 'experiment.archive',
        entity: 'experiment',
        entityId: updated.id,
        before,
        after: updated,
      });
      setEtag(res, updated.revision);
      return updated;
    },
  });
}
