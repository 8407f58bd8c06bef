/**
 * One definition per route, used twice: to mount the Express handler (auth, role, zod
 * validation of params/query/body) and to register the same zod schemas in the OpenAPI
 * document. A route cannot exist without being documented, and a test walks Express's
 * router to check it anyway.
 */
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { OpenAPIRegistry, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { problemSchema } from '@lathe/contract';
import { parsePart } from '@lathe/core';
import { refuseSecrets } from '@lathe/data';
import { requireRole } from '../auth/authenticate.ts';
import type { ApiKeyRole as Role } from '@lathe/registry';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
}

export interface RouteSpec<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  B extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Express syntax: `/runs/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** Who may call it; `public` needs no key. Default: GET → viewer, anything else → editor. */
  role?: Role | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers worth documenting (If-Match, Idempotency-Key). */
  headers?: z.ZodObject;
  /** A body that is not JSON (a streamed upload): its media types, for the document only. */
  rawBody?: string[];
  /** Success status; default 200 (201 is common for creation). */
  status?: number;
  response?: z.ZodType;
  /** Success media type when not JSON (`text/event-stream`, `text/plain`). */
  responseType?: string;
  /** Extra middleware before validation (per-route body parser). */
  before?: RequestHandler[];
  /**
   * Returns the JSON body to send with `status` (or `res.locals.status` when the handler sets
   * it); returns undefined after writing the response itself (streams, 204).
   */
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>;
}

export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export class RouteTable {
  readonly openapi = new OpenAPIRegistry();
  readonly routes: RouteSpec[] = [];

  constructor() {
    this.openapi.registerComponent('securitySchemes', 'apiKey', {
      type: 'http',
      scheme: 'bearer',
      description: 'an API key',
    });
  }

  add<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): void {
    // Why the cast: The table stores routes of every parameter type; each handler was checked against its own schemas in `add`'s signature.
    this.routes.push(spec as unknown as RouteSpec);
    const role = roleOf(spec);
    const status = spec.status ?? 200;
    const success: ResponseConfig = { description: 'success' };
    if (status !== 204) {
      success.content = {
        [spec.responseType ?? 'application/json']: { schema: spec.response ?? z.unknown() },
      };
    }
    const problem = (description: string): ResponseConfig => ({
      description,
      content: { 'application/problem+json': { schema: problemSchema } },
    });
    const responses: Record<string, ResponseConfig> = { [String(status)]: success };
    if (spec.params || spec.query || spec.body || spec.rawBody)
      responses['422'] = problem('validation failed');
    if (spec.path.includes(':')) responses['404'] = problem('not found');
    if (role !== 'public') {
      responses['401'] = problem('missing or invalid API key');
      responses['403'] = problem(`the key lacks the ${role} role`);
    }
    responses['429'] = problem('rate limited');
    const body = spec.body
      ? { content: { 'application/json': { schema: spec.body } }, required: true }
      : spec.rawBody
        ? {
            content: Object.fromEntries(spec.rawBody.map((type) => [type, { schema: z.string() }])),
            required: true,
          }
        : undefined;
    this.openapi.registerPath({
      method: spec.method,
      path: openApiPath(spec.path),
      summary: spec.summary,
      tags: [spec.tag],
      ...(role !== 'public' ? { security: [{ apiKey: [] }], description: `Role: ${role}.` } : {}),
      request: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.headers ? { headers: spec.headers } : {}),
        ...(body ? { body } : {}),
      },
      responses,
    });
  }

  /** Mounts every route on `app`; `authenticate` runs before the role check of non-public routes. */
  mount(app: Express, authenticate: RequestHandler): void {
    for (const spec of this.routes) {
      const role = roleOf(spec);
      const chain: RequestHandler[] = role === 'public' ? [] : [authenticate, requireRole(role)];
      chain.push(...(spec.before ?? []));
      chain.push(async (req: Request, res: Response, _next: NextFunction) => {
        // No secret is stored: a body carrying one (a password in a connection string, a token)
        // is refused before anything else, naming the field and where the secret belongs.
        if (spec.body) refuseSecrets(req.body ?? {}, 'body');
        const params = spec.params ? parsePart('params', spec.params, req.params) : {};
        const query = spec.query ? parsePart('query', spec.query, req.query) : {};
        const body = spec.body ? parsePart('body', spec.body, req.body ?? {}) : undefined;
        const result = await spec.handler({ req, res, params, query, body });
        if (res.headersSent || res.writableEnded) return;
        // A handler may answer with another success status (200 for an idempotent replay).
        const status = (res.locals.status as number | undefined) ?? spec.status ?? 200;
        if (status === 204 || result === undefined)
          res.status(status === 200 && result === undefined ? 204 : status).end();
        else res.status(status).json(result);
      });
      app[spec.method](spec.path, ...chain);
    }
  }
}

export function roleOf(spec: Pick<RouteSpec, 'role' | 'method'>): Role | 'public' {
  return spec.role ?? (spec.method === 'get' ? 'viewer' : 'editor');
}
