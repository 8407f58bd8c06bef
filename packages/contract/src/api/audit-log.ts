/** The audit log: every mutation, newest first. */
import { z } from 'zod';
import { timestamp } from './common.ts';

export const auditEntrySchema = z
  .object({
    id: z.string().describe('the entry id (increasing)'),
    apiKeyId: z.uuid().nullable().describe('the key that made the change; null for the system'),
    action: z.string().describe('what was done, e.g. `experiment.update`'),
    entity: z.string().describe('the kind of thing changed, e.g. `experiment`'),
    entityId: z.string().describe('the id of the thing changed'),
    before: z.unknown().describe('the entity before the change (redacted)'),
    after: z.unknown().describe('the entity after the change (redacted)'),
    requestId: z.string().nullable().describe('the X-Request-Id of the request'),
    createdAt: timestamp.describe('when the change was made'),
  })
  .meta({ id: 'AuditEntry', description: 'one mutation' });

export const auditLogQuery = z.object({
  entity: z.string().max(100).optional().describe('only this kind of entity'),
  entityId: z.string().max(300).optional().describe('only this entity'),
  apiKeyId: z.uuid().optional().describe('only changes made with this key'),
  action: z.string().max(100).optional().describe('only this action'),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'a nextCursor returned by this route')
    .optional()
    .describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('entries per page'),
});

export const auditLogPageSchema = z.object({
  items: z.array(auditEntrySchema).describe('this page, newest first'),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last one'),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;
