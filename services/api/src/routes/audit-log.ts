/** The audit log (admin only): every mutation, newest first, filterable. */
import { z } from 'zod';
import { listAuditLog } from '@lathe/registry';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';

const entrySchema = z
  .object({
    id: z.string(),
    apiKeyId: z.uuid().nullable(),
    action: z.string(),
    entity: z.string(),
    entityId: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export function registerAuditLogRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/audit-log',
    summary: 'Audit log of mutations, newest first',
    tag: 'audit',
    role: 'admin',
    query: z.object({
      entity: z.string().max(100).optional(),
      entityId: z.string().max(300).optional(),
      apiKeyId: z.uuid().optional(),
      action: z.string().max(100).optional(),
      cursor: z
        .string()
        .regex(/^\d{1,19}$/, 'a nextCursor returned by this route')
        .optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    response: z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }),
    handler: async ({ query }) => {
      const page = await listAuditLog(deps.registry, {
        ...(query.entity ? { entity: query.entity } : {}),
        ...(query.entityId ? { entityId: query.entityId } : {}),
        ...(query.apiKeyId ? { apiKeyId: query.apiKeyId } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.cursor ? { cursor: BigInt(query.cursor) } : {}),
        limit: query.limit,
      });
      return { items: page.items, nextCursor: page.nextCursor === null ? null : page.nextCursor.toString() };
    },
  });
}
