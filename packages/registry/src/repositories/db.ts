import pg from 'pg';
import { hotPathOf, type Registry, type RegistryTx } from '../client.ts';
import { preparedStatementName } from '../prepared-statements.ts';
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

/** Prisma `DateTime` columns are `timestamp(3)` holding UTC; pg's default parser reads local time. */
const TIMESTAMP_OID = 1114;
const parseUtcTimestamp = (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
const hotTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID
      ? parseUtcTimestamp
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Runs one of the pipeline's hot-path statements (constant text, registered with
 * `preparedStatement`) straight on the registry's pool: a named prepared statement, none of
 * Prisma's per-call request building, result decoding like Prisma's raw queries (timestamps as
 * UTC Dates, json parsed). Measured in bench/pipeline-throughput.ts. Inside a transaction it
 * goes through the transaction client, so it stays in the transaction.
 */
export async function hotQuery<Row>(
  db: Db,
  sql: string,
  values: unknown[],
): Promise<{ rows: Row[]; rowCount: number }> {
  const hotPath = hotPathOf(db);
  if (!hotPath) {
    const rows = await db.$queryRawUnsafe<Row[]>(sql, ...values);
    return { rows, rowCount: rows.length };
  }
  const name = hotPath.prepared ? preparedStatementName(sql) : undefined;
  const result = await hotPath.pool.query({ ...(name ? { name } : {}), text: sql, values, types: hotTypes });
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
}
