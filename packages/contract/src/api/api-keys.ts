/** API keys: the key itself is returned once, at creation; its hash never leaves the registry. */
import { z } from 'zod';
import { timestamp } from './common.ts';

export const apiKeyRoleSchema = z
  .enum(['admin', 'editor', 'viewer'])
  .describe('viewer reads; editor also changes; admin also manages keys and reads the audit log');

export const apiKeySchema = z
  .object({
    id: z.uuid().describe('the key id (not the key)'),
    name: z.string().describe('who or what uses the key'),
    prefix: z.string().describe('the first characters of the key, to recognise it'),
    role: apiKeyRoleSchema,
    createdAt: timestamp.describe('when the key was created'),
    lastUsedAt: timestamp.nullable().describe('when the key last authenticated a request'),
    revokedAt: timestamp.nullable().describe('when the key was revoked; null while it works'),
  })
  .meta({ id: 'ApiKey', description: 'an API key, without the key' });

export const createApiKeyBody = z.strictObject({
  name: z.string().min(1).max(200).describe('who or what will use the key'),
  role: apiKeyRoleSchema,
});

export const createdApiKeySchema = apiKeySchema.extend({
  key: z.string().describe('shown once: store it now'),
});

export const listApiKeysQuery = z.object({
  includeRevoked: z.enum(['true', 'false']).default('false').describe('include revoked keys'),
});

export const apiKeyListSchema = z.object({
  items: z.array(apiKeySchema).describe('the keys, oldest first'),
});

export type ApiKey = z.infer<typeof apiKeySchema>;
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;
