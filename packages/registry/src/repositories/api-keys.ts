/**
 * API keys of the admin API. Only the sha256 of a key is stored (a key is a random 256-bit
 * secret, so a fast hash is enough: there is nothing to brute-force, unlike a password); the
 * key itself is returned once, by the caller that generated it.
 */
import { NotFoundError } from '@lathe/core';
import type { ApiKey, ApiKeyRole } from '../generated/prisma/client.ts';
import { type Db, inTransaction } from './db.ts';

export interface NewApiKey {
  name: string;
  role: ApiKeyRole;
  /** The first characters of the key, kept in clear so people can tell keys apart. */
  prefix: string;
  /** sha256 hex of the full key. */
  hash: string;
}

export async function createApiKey(db: Db, input: NewApiKey): Promise<ApiKey> {
  return db.apiKey.create({ data: input });
}

/**
 * The first admin key of an installation: created only while no active admin key exists.
 * Bring-ups at once are serialised (an advisory lock), so they cannot both create one.
 * Null when an admin key already exists.
 */
export async function createFirstAdminKey(db: Db, input: Omit<NewApiKey, 'role'>): Promise<ApiKey | null> {
  return inTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('lathe:bootstrap-admin-key'))`;
    if ((await countActiveAdminKeys(tx)) > 0) return null;
    return createApiKey(tx, { ...input, role: 'admin' });
  });
}

/** The active (not revoked) key with this hash, or null. */
export async function findActiveApiKeyByHash(db: Db, hash: string): Promise<ApiKey | null> {
  return db.apiKey.findFirst({ where: { hash, revokedAt: null } });
}

export async function getApiKey(db: Db, id: string): Promise<ApiKey> {
  const key = await db.apiKey.findUnique({ where: { id } });
  if (!key) throw new NotFoundError('api key', id);
  return key;
}

export async function listApiKeys(db: Db, options: { includeRevoked?: boolean } = {}): Promise<ApiKey[]> {
  return db.apiKey.findMany({
    where: options.includeRevoked ? {} : { revokedAt: null },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}

export async function revokeApiKey(db: Db, id: string): Promise<ApiKey> {
  const key = await getApiKey(db, id);
  if (key.revokedAt) return key;
  return db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
}

/**
 * Records a use, at most once a minute per key: a write on every request would turn every
 * read of the API into a write.
 */
export async function touchApiKey(db: Db, id: string, now: Date = new Date()): Promise<void> {
  await db.apiKey.updateMany({
    where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] },
    data: { lastUsedAt: now },
  });
}

export async function countActiveAdminKeys(db: Db): Promise<number> {
  return db.apiKey.count({ where: { role: 'admin', revokedAt: null } });
}
