/**
 * Experiments: CRUD with hyperparameters validated per model family, gate thresholds and
 * rollout policy. Updates and archiving need If-Match with the ETag (the revision): a stale
 * one is 412, so two editors cannot silently overwrite each other.
 */
import { z } from 'zod';
import { rolloutPolicySchema } from '@lathe/experiments';
import { gateThresholdSchema, storedIngestSpecSchema } from '@lathe/contract';
import { createExperiment, getExperiment, updateExperiment, type Json } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { asPreconditionFailed, requiredIfMatch, setEtag } from '../etag.ts';
import { acceptAnyHyperparameters, hyperparameterChecker } from '../hyperparameters.ts';
import { anyObject, idParams, pageOf, paginationQuery, useCaseSchema } from '../openapi/common-schemas.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate, sortOrder } from '../pagination.ts';

/**
 * The gate and the rollout policy are the packages' own schemas (@lathe/ml, @lathe/experiments),
 * so what the API accepts is exactly what the evaluate stage and the rollout monitor run.
 */
export const gateRuleSchema = gateThresholdSchema;
export { rolloutPolicySchema };

const experimentSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    useCase: useCaseSchema,
    modelFamily: z.string(),
    hyperparameters: anyObject,
    datasetId: z.uuid(),
    source: anyObject.nullable(),
    gate: z.array(gateRuleSchema),
    rolloutPolicy: anyObject,
    cacheEnabled: z.boolean(),
    revision: z.number().int(),
    archivedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Experiment' });

const nameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit');
/**
 * Where the ingest stage reads new data from: a source, or a source with ingest settings
 * (@lathe/data). Never credentials: a Postgres source names a connection configured in the
 * ingest workers' environment (docs/connections.md); a body carrying a secret is refused with
 * 422 `secret_in_request` before it is validated (route-table.ts).
 */
const sourceSchema = storedIngestSpecSchema;

const createBody = z.strictObject({
  name: nameSchema,
  description: z.string().max(5000).optional(),
  useCase: useCaseSchema,
  modelFamily: z.string().min(1).max(100),
  hyperparameters: anyObject.default({}),
  datasetId: z.uuid(),
  source: sourceSchema.nullable().optional(),
  gate: z.array(gateRuleSchema).max(50).default([]),
  rolloutPolicy: rolloutPolicySchema.default(rolloutPolicySchema.parse({})),
  cacheEnabled: z.boolean().optional(),
});

const patchBody = z
  .strictObject({
    name: nameSchema,
    description: z.string().max(5000),
    modelFamily: z.string().min(1).max(100),
    hyperparameters: anyObject,
    datasetId: z.uuid(),
    source: sourceSchema.nullable(),
    gate: z.array(gateRuleSchema).max(50),
    rolloutPolicy: rolloutPolicySchema,
    cacheEnabled: z.boolean(),
    archived: z.boolean(),
  })
  .partial();

const ifMatchHeader = z.object({ 'if-match': z.string().describe('the ETag from GET, e.g. "3"') });

export function registerExperimentRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;
  const checker = hyperparameterChecker(deps.validateHyperparameters ?? acceptAnyHyperparameters, 'body.');
  const checkHyperparameters = (family: string, input: unknown): Json => checker(family, input) as Json;

  routes.add({
    method: 'post',
    path: '/experiments',
    summary: 'Create an experiment',
    tag: 'experiments',
    body: createBody,
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
    query: paginationQuery.extend({
      useCase: useCaseSchema.optional(),
      name: z.string().max(200).optional().describe('exact name'),
      modelFamily: z.string().max(100).optional(),
      datasetId: z.uuid().optional(),
      archived: z.enum(['true', 'false', 'all']).default('false'),
      sort: z
        .enum(['name', '-name', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'])
        .default('-createdAt'),
    }),
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
    body: patchBody,
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
