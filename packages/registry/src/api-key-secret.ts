/**
 * API key material, shared by the services that check keys (the admin API, the gateway). A key
 * is `lathe_` + 32 random bytes in base64url (256 bits): far beyond guessing, so storing its
 * plain sha256 is safe (no slow KDF needed, unlike passwords), and a lookup is one indexed
 * equality on the hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyRole } from './generated/prisma/client.ts';

export const KEY_PREFIX = 'lathe_';

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Roles are ordered: an admin may do what an editor may, an editor what a viewer may. */
export const API_KEY_ROLES: readonly ApiKeyRole[] = ['viewer', 'editor', 'admin'];

export function hasRole(actual: ApiKeyRole, required: ApiKeyRole): boolean {
  return API_KEY_ROLES.indexOf(actual) >= API_KEY_ROLES.indexOf(required);
}
