/**
 * The registry's Prisma client, over the `pg` driver adapter (Prisma 7 needs no engine binary
 * this way). `schema` selects a Postgres schema: tests give each file its own.
 *
 * The pool is Lathe's own and handed to the adapter, so the pipeline's hot-path statements can
 * use it directly (see `hotQuery`): one pool, one set of connections, for both.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { preparedStatementName } from './prepared-statements.ts';

export type Registry = PrismaClient;
export type RegistryTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface RegistryOptions {
  databaseUrl: string;
  /** Postgres schema holding Lathe's tables; default `public`. */
  schema?: string;
  /** Pool size; Prisma's default for pg is 10. */
  maxConnections?: number;
}

/** The pool behind each registry, and whether its hot-path statements are prepared. */
const pools = new WeakMap<object, { pool: pg.Pool; prepared: boolean }>();

export function createRegistry(options: RegistryOptions): Registry {
  const schema = options.schema ?? schemaFromUrl(options.databaseUrl) ?? 'public';
  // Prisma's convention: `?pgbouncer=true` behind a transaction-pooling PgBouncer, where a named
  // prepared statement may meet a server connection that never prepared it.
  const prepared = urlParam(options.databaseUrl, 'pgbouncer') !== 'true';
  const pool = new pg.Pool({
    connectionString: stripSchemaParam(options.databaseUrl),
    max: options.maxConnections ?? 10,
    // Raw SQL in the repositories is unqualified; the search path points it at the schema.
    // Timestamps are stored as UTC `timestamp(3)` (Prisma's DateTime): `now()` in raw SQL must
    // convert in UTC whatever the server's default time zone.
    options: `-c search_path="${schema}" -c TimeZone=UTC`,
  });
  const adapter = new PrismaPg(pool, {
    schema,
    disposeExternalPool: true,
    // Typed as string, but undefined is what pg takes for "unnamed" (everything not registered).
    statementNameGenerator: (query) => (prepared ? preparedStatementName(query.sql) : undefined) as string,
  });
  const client = new PrismaClient({ adapter });
  pools.set(client, { pool, prepared });
  return client;
}

/**
 * The registry's pool and whether its hot-path statements are prepared; undefined for a
 * transaction client (its statements must stay in the transaction).
 */
export function hotPathOf(db: object): { pool: pg.Pool; prepared: boolean } | undefined {
  return pools.get(db);
}

export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db)?.pool;
}

function urlParam(databaseUrl: string, name: string): string | undefined {
  try {
    return new URL(databaseUrl).searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Prisma's `?schema=` URL parameter, which `pg` itself does not understand. */
export function schemaFromUrl(databaseUrl: string): string | undefined {
  return urlParam(databaseUrl, 'schema');
}

/** The URL without Prisma's own parameters (`schema`, `pgbouncer`), for `pg`. */
export function stripSchemaParam(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    url.searchParams.delete('schema');
    url.searchParams.delete('pgbouncer');
    return url.toString();
  } catch {
    return databaseUrl;
  }
}
