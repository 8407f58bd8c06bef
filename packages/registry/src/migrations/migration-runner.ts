/**
 * Applies prisma/migrations/<timestamp>_<name>/migration.sql in order, keeping Prisma's own
 * `_prisma_migrations` bookkeeping (id, checksum, timestamps, applied steps), so that
 * `prisma migrate deploy` takes over seamlessly wherever Prisma's schema engine is installed.
 *
 * Prisma's engine binary cannot be downloaded on offline machines, hence this runner. Rules it
 * shares with `migrate deploy`:
 *  - the checksum is the sha256 (hex) of migration.sql;
 *  - an applied migration whose file changed is refused (history must not be rewritten);
 *  - a migration that failed half-way blocks further migrations until resolved.
 * Unlike Prisma, each migration runs in a transaction (Postgres DDL is transactional), so a
 * failure leaves nothing half-applied; the failure is still recorded, as Prisma does.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { LatheError } from '@lathe/core';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

const BOOKKEEPING_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Any constant works; it keeps two processes from migrating the same schema at once. */
const MIGRATION_LOCK_KEY = 72_707_369;

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

export async function readMigrations(migrationsDir: string): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const sql = await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8');
    migrations.push({ name, sql, checksum: checksumOf(sql) });
  }
  return migrations;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Migrates `schema` (created when missing) of the database at `databaseUrl`. Idempotent.
 */
export async function migrate(options: {
  databaseUrl: string;
  migrationsDir: string;
  schema?: string;
}): Promise<MigrateResult> {
  const schema = options.schema ?? 'public';
  const migrations = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new LatheError(
      'database_unreachable',
      `cannot connect to the database: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_KEY, schema]);
    await client.query(BOOKKEEPING_DDL);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const applied = new Map<string, AppliedRow>();
    for (const row of rows) {
      if (row.rolled_back_at !== null) continue;
      if (row.finished_at === null) {
        throw new LatheError(
          'migration_failed_before',
          `migration ${row.migration_name} failed earlier and blocks the others; fix the database, then delete its row from _prisma_migrations (or run \`prisma migrate resolve\`)`,
        );
      }
      applied.set(row.migration_name, row);
    }
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const previous = applied.get(migration.name);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new LatheError(
            'migration_checksum_mismatch',
            `migration ${migration.name} was changed after it was applied (checksum ${previous.checksum.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… on disk); add a new migration instead of editing an applied one`,
          );
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      await applyOne(client, migration);
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    // Record the failure as Prisma would, outside the rolled-back transaction.
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, rolled_back_at) VALUES ($1, $2, $3, $4, now(), now())',
      [id, migration.checksum, migration.name, (error as Error).message],
    );
    throw new LatheError(
      'migration_failed',
      `migration ${migration.name} failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
