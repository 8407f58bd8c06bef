/**
 * The audit log: one row per mutation made through the API, with the key that made it and the
 * entity before and after. Append-only.
 */
import type { AuditLog } from '../generated/prisma/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Db, Json } from './db.ts';

export interface NewAuditEntry {
  apiKeyId: string | null;
  action: string;
  entity: string;
  entityId: string;
  before?: Json | null;
  after?: Json | null;
  requestId?: string | null;
}

export async function recordAudit(db: Db, entry: NewAuditEntry): Promise<AuditLog> {
  return db.auditLog.create({
    data: {
      apiKeyId: entry.apiKeyId,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId,
      before: entry.before ?? Prisma.DbNull,
      after: entry.after ?? Prisma.DbNull,
      requestId: entry.requestId ?? null,
    },
  });
}

export interface AuditQuery {
  entity?: string;
  entityId?: string;
  apiKeyId?: string;
  action?: string;
  /** Id of the last row of the previous page (rows come newest first). */
  cursor?: bigint;
  limit?: number;
}

export async function listAuditLog(
  db: Db,
  query: AuditQuery = {},
): Promise<{ items: AuditLog[]; nextCursor: bigint | null }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const items = await db.auditLog.findMany({
    where: {
      ...(query.entity ? { entity: query.entity } : {}),
      ...(query.entityId ? { entityId: query.entityId } : {}),
      ...(query.apiKeyId ? { apiKeyId: query.apiKeyId } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.cursor !== undefined ? { id: { lt: query.cursor } } : {}),
    },
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
  const hasMore = items.length > limit;
  const page = hasMore ? items.slice(0, limit) : items;
  return { items: page, nextCursor: hasMore ? (page[page.length - 1]?.id ?? null) : null };
}
