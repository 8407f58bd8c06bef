/**
 * Authentication by API key (`presentedApiKey`: Bearer, X-API-Key, or HTTP Basic with the key
 * as password, so a browser can open Bull Board at /admin/queues). The key is hashed and looked
 * up among the active keys on every request: a revoked key stops working at once.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  findActiveApiKeyByHash,
  hasRole,
  hashApiKey,
  touchApiKey,
  type ApiKey,
  type ApiKeyRole as Role,
  type Registry,
} from '@lathe/registry';
import { HttpProblem, MAX_API_KEY_LENGTH, presentedApiKey } from '@lathe/core';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point
  namespace Express {
    interface Request {
      /** The authenticated key (set by `authenticate`). */
      apiKey?: ApiKey;
      requestId?: string;
    }
  }
}

export function authenticate(registry: Registry, options: { basicRealm?: string } = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const refuse = (code: string, message: string) => {
      // The problem handler challenges for Bearer; a browser page asks for Basic instead.
      if (options.basicRealm) res.set('WWW-Authenticate', `Basic realm="${options.basicRealm}"`);
      return new HttpProblem(401, code, message);
    };
    const key = presentedApiKey((name) => req.get(name));
    if (!key)
      throw refuse(
        'missing_api_key',
        'this route needs an API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`',
      );
    const found =
      key.length > MAX_API_KEY_LENGTH ? null : await findActiveApiKeyByHash(registry, hashApiKey(key));
    if (!found) throw refuse('invalid_api_key', 'the API key is not valid (unknown or revoked)');
    req.apiKey = found;
    await touchApiKey(registry, found.id);
    next();
  };
}

export function requireRole(role: Role): RequestHandler {
  return (req, _res, next) => {
    const key = req.apiKey;
    if (!key) throw new HttpProblem(401, 'missing_api_key', 'this route needs an API key');
    if (!hasRole(key.role, role)) {
      throw new HttpProblem(
        403,
        'insufficient_role',
        `this route needs the ${role} role; key ${key.prefix}… has ${key.role}`,
      );
    }
    next();
  };
}
