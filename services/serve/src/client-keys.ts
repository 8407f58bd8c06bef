/**
 * API keys at the gateway: the admin API's keys and roles (a viewer key may predict; posting
 * outcomes, which decide A/B tests, needs editor). Prediction traffic is far denser than admin
 * traffic, so a key's lookup is reused for `ttlMs`: a revoked key stops working within that
 * time, and a busy client costs one registry read per `ttlMs` (its `lastUsedAt` is touched with
 * it). An unknown key is remembered as unknown just as long, so a client retrying a bad key does
 * not reach Postgres on every request. While the registry cannot be read, a key keeps the
 * answer of its last read for up to `maxStaleMs`, as endpoint routing does; a key never read
 * then gets 503.
 */
import { HttpProblem, MAX_API_KEY_LENGTH, presentedApiKey, type Logger } from '@lathe/core';
import {
  findActiveApiKeyByHash,
  hasRole,
  hashApiKey,
  touchApiKey,
  type ApiKey,
  type ApiKeyRole,
  type Registry,
} from '@lathe/registry';
import { createReadCache, readThroughRegistry } from './read-cache.ts';

export interface ClientKeys {
  /** The active key the request presents, with at least `role`; otherwise a 401, 403 or 503 problem. */
  authorize(header: (name: string) => string | undefined, role: ApiKeyRole): Promise<ApiKey>;
}

export interface ClientKeysOptions {
  ttlMs: number;
  maxStaleMs?: number;
  logger: Logger;
  now?: () => number;
}

const invalidKey = () =>
  new HttpProblem(401, 'invalid_api_key', 'the API key is not valid (unknown or revoked)');

export function createClientKeys(registry: Registry, options: ClientKeysOptions): ClientKeys {
  const cache = createReadCache<ApiKey | null>(options);

  const lookUp = async (hash: string): Promise<ApiKey | null> => {
    const key = await findActiveApiKeyByHash(registry, hash);
    // Bookkeeping only: a failed touch must not refuse a valid key.
    if (key)
      void touchApiKey(registry, key.id).catch((error: unknown) =>
        options.logger.warn({ err: error }, 'could not record the API key use'),
      );
    return key;
  };

  return {
    async authorize(header, role) {
      const presented = presentedApiKey(header);
      if (!presented) {
        throw new HttpProblem(
          401,
          'missing_api_key',
          'the gateway needs an API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`',
        );
      }
      if (presented.length > MAX_API_KEY_LENGTH) throw invalidKey();
      const hash = hashApiKey(presented);
      const key = await readThroughRegistry(cache, hash, () => lookUp(hash), {
        logger: options.logger,
        what: 'the API key',
      });
      if (!key) throw invalidKey();
      if (!hasRole(key.role, role)) {
        throw new HttpProblem(
          403,
          'insufficient_role',
          `this route needs the ${role} role; key ${key.prefix}… has ${key.role}`,
        );
      }
      return key;
    },
  };
}
