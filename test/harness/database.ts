/**
 * Each test file gets its own Postgres schema, migrated with the real migrations, and a
 * registry client bound to it; `drop()` removes it. Files run in parallel without seeing each
 * other's rows, against a server that may be in use by others.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createRegistry, migrate, MIGRATIONS_DIR, type Registry } from '@lathe/registry';
import { servicesEnv } from './services-env.ts';

export interface TestDatabase {
  registry: Registry;
  schema: string;
  /** The database URL (without the schema parameter). */
  databaseUrl: string;
  /** The URL with `?schema=` for processes spawned by the test. */
  schemaUrl: string;
  /** Runs SQL in the test schema, for assertions the registry API does not expose. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export function requireServices(): { databaseUrl: string; redisUrl: string } {
  const env = servicesEnv();
  if (!env) throw new Error('DATABASE_URL/REDIS_URL unknown: run through `npm test` or `npm run up` first');
  return env;
}

export async function createTestDatabase(label = 't'): Promise<TestDatabase> {
  const { databaseUrl } = requireServices();
  const schema = `test_${label
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  await migrate({ databaseUrl, migrationsDir: MIGRATIONS_DIR, schema });
  const registry = createRegistry({ databaseUrl, schema, maxConnections: 5 });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, options: `-c search_path="${schema}"` });
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  return {
    registry,
    schema,
    databaseUrl,
    schemaUrl: url.toString(),
    async query(sql, values) {
      const result = await pool.query(sql, values as unknown[]);
      return result.rows;
    },
    async drop() {
      await registry.$disconnect();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
