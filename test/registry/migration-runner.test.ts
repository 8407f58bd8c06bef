import { cp, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { checksumOf, migrate, MIGRATIONS_DIR, readMigrations } from '@lathe/registry';
import { requireServices } from '../harness/index.ts';

const { databaseUrl } = requireServices();
const schema = `test_migrations_${Date.now().toString(36)}`;
const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('migration runner', () => {
  it("applies every migration once and records Prisma's bookkeeping", async () => {
    const first = await migrate({ databaseUrl, migrationsDir: MIGRATIONS_DIR, schema });
    const migrations = await readMigrations(MIGRATIONS_DIR);
    expect(first.applied).toEqual(migrations.map((m) => m.name));

    const { rows } = await pool.query(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "${schema}"."_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    expect(rows[0].checksum).toBe(checksumOf(migrations[0]!.sql));
    expect(rows[0].finished_at).toBeInstanceOf(Date);
    expect(rows[0].applied_steps_count).toBe(1);
  });

  it('is idempotent', async () => {
    const again = await migrate({ databaseUrl, migrationsDir: MIGRATIONS_DIR, schema });
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lathe-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const [firstMigration] = await readMigrations(dir);
      await writeFile(
        join(dir, firstMigration!.name, 'migration.sql'),
        `${firstMigration!.sql}\n-- edited\n`,
      );
      await expect(migrate({ databaseUrl, migrationsDir: dir, schema })).rejects.toMatchObject({
        code: 'migration_checksum_mismatch',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration, records it, and applies the next fixed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lathe-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await mkdir(join(dir, '29991231000000_broken'));
      await writeFile(
        join(dir, '29991231000000_broken', 'migration.sql'),
        'CREATE TABLE "Half" ("id" TEXT);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" TEXT;\n',
      );
      await expect(migrate({ databaseUrl, migrationsDir: dir, schema })).rejects.toMatchObject({
        code: 'migration_failed',
      });
      const half = await pool.query(`SELECT to_regclass('"${schema}"."Half"') AS t`);
      expect(half.rows[0].t).toBeNull();
      const { rows } = await pool.query(
        `SELECT rolled_back_at FROM "${schema}"."_prisma_migrations" WHERE migration_name = '29991231000000_broken'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].rolled_back_at).toBeInstanceOf(Date);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
