/** The audit log (admin only): every mutation, newest first, filterable. */
import { auditLogPageSchema, auditLogQuery } from '@lathe/contract';
import { listAuditLog } from '@lathe/registry';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';

export function registerAuditLogRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/audit-log',
    summary: 'Audit log of mutations, newest first',
    tag: 'audit',
    role: 'admin',
    query: auditLogQuery,
    response: auditLogPageSchema,
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
