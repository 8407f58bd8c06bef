/**
 * Start-up check: a process that cannot reach Postgres says so in one line naming
 * DATABASE_URL, instead of failing later inside a query with a driver stack trace.
 */
import pg from 'pg';
import { ConfigError, redactUrl } from '@lathe/core';
import { stripSchemaParam } from './client.ts';
import type { Db } from './repositories/db.ts';

export async function assertDatabaseReachable(databaseUrl: string, timeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({
    connectionString: stripSchemaParam(databaseUrl),
    connectionTimeoutMillis: timeoutMs,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      `DATABASE_URL: cannot connect to ${redactUrl(databaseUrl)} (${reason}); expected a reachable PostgreSQL server (run \`npm run up\`)`,
      { variable: 'DATABASE_URL' },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Readiness probe of a running process: one round trip through its registry client's pool. */
export async function pingRegistry(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
