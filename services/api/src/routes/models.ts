/**
 * Model versions and aliases. Moving an alias needs If-Match with the alias's ETag (its
 * revision; `"0"` or no header when the alias does not exist yet); a stale one is 412.
 */
import { z } from 'zod';
import { HttpProblem, NotFoundError } from '@lathe/core';
import { getAlias, getModelVersion, moveAlias, rollbackAlias } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { asPreconditionFailed, requiredIfMatch, setEtag } from '../etag.ts';
import { anyObject, idParams, pageOf, paginationQuery, useCaseSchema } from '../openapi/common-schemas.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate } from '../pagination.ts';

const modelName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"');
const aliasName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, "_" or "-", starting with a letter');

const modelVersionSchema = z
  .object({
    id: z.uuid(),
    modelName: z.string(),
    version: z.number().int(),
    runId: z.uuid().nullable(),
    useCase: useCaseSchema,
    modelFamily: z.string(),
    artifactUri: z.string(),
    sha256: z.string(),
    sizeBytes: z.string(),
    signature: z.unknown(),
    metrics: anyObject,
    createdAt: z.string(),
  })
  .meta({ id: 'ModelVersion' });
const aliasSchema = z
  .object({
    modelName: z.string(),
    alias: z.string(),
    modelVersionId: z.uuid(),
    revision: z.number().int(),
    updatedAt: z.string(),
    modelVersion: modelVersionSchema.optional(),
  })
  .meta({ id: 'ModelAlias' });

const nameParams = z.object({ name: modelName });
const aliasParams = z.object({ name: modelName, alias: aliasName });

export function registerModelRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;

  const aliasOrThrow = async (name: string, alias: string) => {
    const found = await getAlias(registry, name, alias);
    if (!found) throw new NotFoundError('alias', `${name}@${alias}`);
    return found;
  };

  routes.add({
    method: 'get',
    path: '/models',
    summary: 'List models: each name with its latest version, version count and aliases',
    tag: 'models',
    query: z.object({ useCase: useCaseSchema.optional(), name: z.string().max(200).optional() }),
    response: z.object({
      items: z.array(
        z.object({
          modelName: z.string(),
          versions: z.number().int(),
          latest: modelVersionSchema,
          aliases: z.record(z.string(), z.number().int()),
        }),
      ),
    }),
    handler: async ({ query }) => {
      const where = {
        ...(query.useCase ? { useCase: query.useCase } : {}),
        ...(query.name ? { modelName: { contains: query.name } } : {}),
      };
      const groups = await registry.modelVersion.groupBy({
        by: ['modelName'],
        where,
        _count: { _all: true },
        _max: { version: true },
        orderBy: { modelName: 'asc' },
      });
      const items = [];
      for (const group of groups) {
        const latest = await registry.modelVersion.findUniqueOrThrow({
          where: { modelName_version: { modelName: group.modelName, version: group._max.version ?? 0 } },
        });
        const aliases = await registry.modelAlias.findMany({
          where: { modelName: group.modelName },
          include: { modelVersion: { select: { version: true } } },
        });
        items.push({
          modelName: group.modelName,
          versions: group._count._all,
          latest,
          aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.modelVersion.version])),
        });
      }
      return { items };
    },
  });

  routes.add({
    method: 'get',
    path: '/models/:name/versions',
    summary: 'Versions of a model, newest first',
    tag: 'models',
    params: nameParams,
    query: paginationQuery,
    response: pageOf(modelVersionSchema),
    handler: async ({ params, query }) => {
      const page = await paginate(query, (args) =>
        registry.modelVersion.findMany({
          where: { modelName: params.name },
          orderBy: [{ version: 'desc' }, { id: 'desc' }],
          ...args,
        }),
      );
      if (page.items.length === 0 && query.cursor === undefined)
        throw new NotFoundError('model', params.name);
      return page;
    },
  });

  routes.add({
    method: 'get',
    path: '/model-versions/:id',
    summary: 'Get a model version',
    tag: 'models',
    params: idParams,
    response: modelVersionSchema,
    handler: async ({ params }) => getModelVersion(registry, params.id),
  });

  routes.add({
    method: 'get',
    path: '/models/:name/aliases',
    summary: 'Aliases of a model',
    tag: 'models',
    params: nameParams,
    response: z.object({ items: z.array(aliasSchema) }),
    handler: async ({ params }) => {
      if ((await registry.modelVersion.count({ where: { modelName: params.name } })) === 0)
        throw new NotFoundError('model', params.name);
      return {
        items: await registry.modelAlias.findMany({
          where: { modelName: params.name },
          include: { modelVersion: true },
          orderBy: { alias: 'asc' },
        }),
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/models/:name/aliases/:alias',
    summary: 'Get an alias (ETag: its revision)',
    tag: 'models',
    params: aliasParams,
    response: aliasSchema,
    handler: async ({ res, params }) => {
      const alias = await aliasOrThrow(params.name, params.alias);
      setEtag(res, alias.revision);
      return alias;
    },
  });

  routes.add({
    method: 'put',
    path: '/models/:name/aliases/:alias',
    summary: 'Point an alias at a model version; If-Match required when the alias exists (412 when stale)',
    tag: 'models',
    params: aliasParams,
    headers: z.object({ 'if-match': z.string().optional() }),
    body: z
      .strictObject({
        modelVersionId: z.uuid().optional(),
        version: z.number().int().min(1).optional(),
        reason: z.string().max(1000).optional(),
      })
      .refine((b) => (b.modelVersionId === undefined) !== (b.version === undefined), {
        message: 'give exactly one of modelVersionId or version',
      }),
    response: aliasSchema,
    handler: async ({ req, res, params, body }) => {
      const current = await getAlias(registry, params.name, params.alias);
      const expectedRevision = current
        ? requiredIfMatch(req, `alias ${params.name}@${params.alias}`)
        : req.get('if-match')
          ? requiredIfMatch(req, 'the alias')
          : 0;
      let modelVersionId = body.modelVersionId;
      if (body.version !== undefined) {
        const found = await registry.modelVersion.findUnique({
          where: { modelName_version: { modelName: params.name, version: body.version } },
        });
        if (!found) throw new NotFoundError('model version', `${params.name} v${body.version}`);
        modelVersionId = found.id;
      }
      const moved = await moveAlias(registry, {
        modelName: params.name,
        alias: params.alias,
        modelVersionId: modelVersionId!,
        expectedRevision,
        ...(body.reason ? { reason: body.reason } : {}),
        ...(req.apiKey ? { actor: req.apiKey.id } : {}),
      }).catch(asPreconditionFailed);
      await audit(registry, req, {
        action: 'alias.move',
        entity: 'alias',
        entityId: `${params.name}@${params.alias}`,
        before: current,
        after: moved,
      });
      setEtag(res, moved.revision);
      return aliasOrThrow(params.name, params.alias);
    },
  });

  routes.add({
    method: 'post',
    path: '/models/:name/aliases/:alias/rollback',
    summary: 'Move an alias back to the version it pointed at before its last move (If-Match optional)',
    tag: 'models',
    params: aliasParams,
    body: z.strictObject({ reason: z.string().max(1000).optional() }),
    response: aliasSchema,
    handler: async ({ req, res, params, body }) => {
      const current = await aliasOrThrow(params.name, params.alias);
      if (req.get('if-match') && requiredIfMatch(req, 'the alias') !== current.revision) {
        throw new HttpProblem(
          412,
          'precondition_failed',
          `alias ${params.name}@${params.alias} is at revision ${current.revision}; reload it and try again`,
        );
      }
      const moved = await rollbackAlias(registry, {
        modelName: params.name,
        alias: params.alias,
        ...(body.reason ? { reason: body.reason } : {}),
        ...(req.apiKey ? { actor: req.apiKey.id } : {}),
      });
      await audit(registry, req, {
        action: 'alias.rollback',
        entity: 'alias',
        entityId: `${params.name}@${params.alias}`,
        before: current,
        after: moved,
      });
      setEtag(res, moved.revision);
      return aliasOrThrow(params.name, params.alias);
    },
  });
}
