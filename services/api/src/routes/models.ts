/**
 * Model versions and aliases. Moving an alias needs If-Match with the alias's ETag (its
 * revision; `"0"` or no header when the alias does not exist yet); a stale one is 412.
 */
import {
  aliasListSchema,
  idParams,
  listModelsQuery,
  modelAliasParams,
  modelAliasSchema,
  modelListSchema,
  modelNameParams,
  modelVersionSchema,
  moveAliasBody,
  optionalIfMatchHeader,
  pageOf,
  paginationQuery,
  rollbackAliasBody,
} from '@lathe/contract';
import { HttpProblem, NotFoundError } from '@lathe/core';
import { getAlias, getModelVersion, moveAlias, rollbackAlias } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { asPreconditionFailed, requiredIfMatch, setEtag } from '../etag.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate } from '../pagination.ts';

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
    query: listModelsQuery,
    response: modelListSchema,
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
    params: modelNameParams,
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
    params: modelNameParams,
    response: aliasListSchema,
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
    params: modelAliasParams,
    response: modelAliasSchema,
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
    params: modelAliasParams,
    headers: optionalIfMatchHeader,
    body: moveAliasBody,
    response: modelAliasSchema,
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
    params: modelAliasParams,
    body: rollbackAliasBody,
    response: modelAliasSchema,
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
