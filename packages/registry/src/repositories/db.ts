import type { Registry, RegistryTx } from '../client.ts';
import { Prisma } from '../generated/prisma/client.ts';

/** Repositories take either the client or an open transaction, so callers compose them. */
export type Db = Registry | RegistryTx;

export type Json = Prisma.InputJsonValue;

/** True when `error` is Prisma's unique-constraint violation (P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/** Runs `work` in a transaction, or inside the caller's when `db` already is one. */
export async function inTransaction<T>(db: Db, work: (tx: RegistryTx) => Promise<T>): Promise<T> {
  if ('$transaction' in db) return (db as Registry).$transaction(work);
  return work(db);
}
