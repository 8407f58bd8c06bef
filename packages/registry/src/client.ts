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

const pools = new WeakMap<object, pg.Pool>();

export function createRegistry(options: RegistryOptions): Registry {
  const schema = options.schema ?? schemaFromUrl(options.databaseUrl) ?? 'public';
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
    statementNameGenerator: (query) => preparedStatementName(query.sql) as string,
  });
  const client = new PrismaClient({ adapter });
  pools.set(client, pool);
  return client;
}

/** The registry's pool; undefined for a transaction client (its statements must stay in it). */
export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}

/** Prisma's `?schema=` URL parameter, which `pg` itself does not understand. */
export function schemaFromUrl(databaseUrl: string): string | undefined {
  try {
    return new URL(databaseUrl).searchParams.get('schema') ?? undefined;
  } catch {
    return undefined;
  }
}

export function stripSchemaParam(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    url.searchParams.delete('schema');
    return url.toString();
  } catch {
    return databaseUrl;
  }
}
