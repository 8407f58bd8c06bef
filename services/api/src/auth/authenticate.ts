/**
 * Authentication by API key: `Authorization: Bearer <key>`, `X-API-Key: <key>`, or HTTP Basic
 * with the key as password (so a browser can open Bull Board at /admin/queues, which cannot
 * send custom headers). The key is hashed and looked up among the active keys.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { findActiveApiKeyByHash, touchApiKey, type ApiKey, type Registry } from '@lathe/registry';
import { HttpProblem } from '@lathe/core';
import { hashApiKey } from './api-key-secret.ts';
import { hasRole, type Role } from './roles.ts';

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

export function presentedKey(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header) {
    const [scheme, value] = header.split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return value;
    if (scheme?.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      return password || undefined;
    }
  }
  const apiKey = req.get('x-api-key');
  return apiKey || undefined;
}

export function authenticate(registry: Registry, options: { basicRealm?: string } = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = presentedKey(req);
    if (options.basicRealm) res.set('WWW-Authenticate', `Basic realm="${options.basicRealm}"`);
    else res.set('WWW-Authenticate', 'Bearer');
    if (!key) {
      throw new HttpProblem(401, 'missing_api_key', 'this route needs an API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`');
    }
    if (key.length > 200) throw new HttpProblem(401, 'invalid_api_key', 'the API key is not valid (unknown or revoked)');
    const found = await findActiveApiKeyByHash(registry, hashApiKey(key));
    if (!found) throw new HttpProblem(401, 'invalid_api_key', 'the API key is not valid (unknown or revoked)');
    res.removeHeader('WWW-Authenticate');
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
      throw new HttpProblem(403, 'insufficient_role', `this route needs the ${role} role; key ${key.prefix}… has ${key.role}`);
    }
    next();
  };
}
