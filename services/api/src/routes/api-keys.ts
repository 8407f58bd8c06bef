/** API keys (admin only): create (the key is in the response once, never again), list, revoke. */
import {
  apiKeyListSchema,
  apiKeySchema,
  createApiKeyBody,
  createdApiKeySchema,
  idParams,
  listApiKeysQuery,
} from '@lathe/contract';
import { createApiKey, generateApiKey, getApiKey, listApiKeys, revokeApiKey } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { HttpProblem } from '@lathe/core';

/** Never send the hash out. */
function publicKey<T extends { hash: string }>(key: T): Omit<T, 'hash'> {
  const { hash: _hash, ...rest } = key;
  return rest;
}

export function registerApiKeyRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;

  routes.add({
    method: 'post',
    path: '/api-keys',
    summary: 'Create an API key; the key itself is in this response only',
    tag: 'api-keys',
    role: 'admin',
    body: createApiKeyBody,
    status: 201,
    response: createdApiKeySchema,
    handler: async ({ req, body }) => {
      const secret = generateApiKey();
      const key = await createApiKey(registry, {
        name: body.name,
        role: body.role,
        prefix: secret.prefix,
        hash: secret.hash,
      });
      await audit(registry, req, {
        action: 'api_key.create',
        entity: 'api_key',
        entityId: key.id,
        after: publicKey(key),
      });
      return { ...publicKey(key), key: secret.key };
    },
  });

  routes.add({
    method: 'get',
    path: '/api-keys',
    summary: 'List API keys (never the keys themselves)',
    tag: 'api-keys',
    role: 'admin',
    query: listApiKeysQuery,
    response: apiKeyListSchema,
    handler: async ({ query }) => ({
      items: (await listApiKeys(registry, { includeRevoked: query.includeRevoked === 'true' })).map(
        publicKey,
      ),
    }),
  });

  routes.add({
    method: 'delete',
    path: '/api-keys/:id',
    summary: 'Revoke an API key',
    tag: 'api-keys',
    role: 'admin',
    params: idParams,
    response: apiKeySchema,
    handler: async ({ req, params }) => {
      const before = await getApiKey(registry, params.id);
      if (req.apiKey?.id === params.id) {
        throw new HttpProblem(
          409,
          'cannot_revoke_own_key',
          'a key cannot revoke itself; use another admin key',
        );
      }
      const key = await revokeApiKey(registry, params.id);
      await audit(registry, req, {
        action: 'api_key.revoke',
        entity: 'api_key',
        entityId: key.id,
        before: publicKey(before),
        after: publicKey(key),
      });
      return publicKey(key);
    },
  });
}
