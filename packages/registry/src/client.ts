/**
 * The registry's Prisma client, over the `pg` driver adapter (Prisma 7 needs no engine binary
 * this way). `schema` selects a Postgres schema: tests give each file its own.
 *
 * Two pools, both Lathe's own: Prisma's adapter uses one, and the pipeline's hot-path
 * statements (see `hotQuery`) the other, a small one whose sessions plan for key lookups.
 * A hot statement is a named prepared statement, planned once per connection and then reused
 * for as long as the connection lives. Planned while the tables were small (a fresh install,
 * a test schema), Postgres rightly chose sequential scans, and the cached plan kept scanning
 * as the tables grew: measured, a claim of one stage went from 0.6 to 1.9 ms in 1,600 runs,
 * on and on until an ANALYZE happened to invalidate the plan. Every hot statement finds its
 * rows by key, so its sessions turn sequential scans off (an index is always there) and keep
 * the one generic plan (`force_generic_plan`: no per-call planning, which for a claim costs
 * more than running it). Prisma's pool keeps Postgres's defaults, which suit its varied,
 * unprepared queries.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type Registry = PrismaClient;
export type RegistryTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface RegistryOptions {
  databaseUrl: string;
  /** Postgres schema holding Lathe's tables; default `public`. */
  schema?: string;
  /** Pool size for Prisma's queries; Prisma's default for pg is 10. */
  maxConnections?: number;
  /** Pool size for the hot path (statements grouped by the write batchers); default 4. */
  hotPathConnections?: number;
  /** How long opening a connection may take before it fails; default 10 s. */
  connectTimeoutMs?: number;
}

/**
 * Without a bound, a connection to a server that does not answer (a dead host, a dropped
 * route) waits for the operating system's TCP timeout, minutes, and every query behind it
 * with it; with one, it fails as `registry_unavailable` and callers retry or answer 503.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The pools behind each registry, and whether its hot-path statements are prepared. */
const pools = new WeakMap<object, { pool: pg.Pool; hotPath: { pool: pg.Pool; prepared: boolean } }>();

export function createRegistry(options: RegistryOptions): Registry {
  const schema = options.schema ?? schemaFromUrl(options.databaseUrl) ?? 'public';
  // Prisma's convention: `?pgbouncer=true` behind a transaction-pooling PgBouncer, where a named
  // prepared statement may meet a server connection that never prepared it.
  const prepared = urlParam(options.databaseUrl, 'pgbouncer') !== 'true';
  const connectionString = stripSchemaParam(options.databaseUrl);
  // Raw SQL in the repositories is unqualified; the search path points it at the schema.
  // Timestamps are stored as UTC `timestamp(3)` (Prisma's DateTime): `now()` in raw SQL must
  // convert in UTC whatever the server's default time zone.
  const session = `-c search_path="${schema}" -c TimeZone=UTC`;
  const connectionTimeoutMillis = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    options: session,
    connectionTimeoutMillis,
  });
  const hotPool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis,
    max: options.hotPathConnections ?? 4,
    options: `${session} -c enable_seqscan=off -c plan_cache_mode=force_generic_plan`,
  });
  // An idle connection the server closed (a restart, an idle timeout) is dropped by its pool
  // and the next query opens another; unlistened, the event would end the process.
  for (const p of [pool, hotPool]) p.on('error', () => undefined);
  const adapter = new PrismaPg(pool, { schema, disposeExternalPool: true });
  const client = new PrismaClient({ adapter });
  // $disconnect ends Prisma's pool (disposeExternalPool) and, here, the hot path's.
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    await disconnect();
    if (!hotPool.ended) await hotPool.end();
  };
  pools.set(client, { pool, hotPath: { pool: hotPool, prepared } });
  return client;
}

/**
 * The registry's hot-path pool and whether its statements are prepared; undefined for a
 * transaction client (its statements must stay in the transaction).
 */
export function hotPathOf(db: object): { pool: pg.Pool; prepared: boolean } | undefined {
  return pools.get(db)?.hotPath;
}

/** The pool behind Prisma's queries. */
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
