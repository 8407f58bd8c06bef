/** Records a mutation in the audit log, with the key that made it and the request id. */
import type { Request } from 'express';
import { recordAudit, type Json, type Registry } from '@lathe/registry';
import { toJsonValue } from './json.ts';

export async function audit(
  registry: Registry,
  req: Request,
  entry: { action: string; entity: string; entityId: string; before?: unknown; after?: unknown },
): Promise<void> {
  await recordAudit(registry, {
    apiKeyId: req.apiKey?.id ?? null,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId,
    before: entry.before === undefined ? null : (toJsonValue(entry.before) as Json),
    after: entry.after === undefined ? null : (toJsonValue(entry.after) as Json),
    requestId: req.requestId ?? null,
  });
}
