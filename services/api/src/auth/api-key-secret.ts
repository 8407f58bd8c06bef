/**
 * API key material. A key is `lathe_` + 32 random bytes in base64url (256 bits): far beyond
 * guessing, so storing its plain sha256 is safe (no slow KDF needed, unlike passwords), and a
 * lookup is one indexed equality on the hash.
 */
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'lathe_';

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
