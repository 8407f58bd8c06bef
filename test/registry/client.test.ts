import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimStages, createRegistry, poolOf, type Registry } from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
let registry: Registry;

beforeAll(async () => {
  db = await createTestDatabase('client');
  registry = createRegistry({ databaseUrl: db.databaseUrl, schema: db.schema, maxConnections: 3 });
});
afterAll(async () => {
  await db.drop();
});

describe('registry client', () => {
  it("Prisma's queries and the hot-path statements share the registry's one pool, in UTC on the test schema", async () => {
    const pool = poolOf(registry)!;
    expect(pool).toBeDefined();
    await registry.dataset.count(); // through Prisma's adapter
    // Had the adapter not taken this pool (say, a second copy of pg), it would hold no connection.
    expect(pool.totalCount).toBeGreaterThanOrEqual(1);
    const { rows } = await pool.query<{ zone: string; path: string }>('SELECT current_setting($1) AS zone, current_setting($2) AS path', ['TimeZone', 'search_path']);
    expect(rows[0]).toEqual({ zone: 'UTC', path: `"${db.schema}"` });
    await registry.$disconnect();
    // $disconnect ends the pool too (no connection left open behind Prisma's back).
    expect(pool.ended).toBe(true);
  });

  it('prepares the hot-path statements once per connection, unless the URL says pgbouncer=true', async () => {
    const prepared = async (databaseUrl: string) => {
      const one = createRegistry({ databaseUrl, schema: db.schema, maxConnections: 1 });
      try {
        await claimStages(one, [{ runId: 'no-such-run', stage: 'ingest' }]);
        const { rows } = await poolOf(one)!.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
        return rows.map((r) => r.name);
      } finally {
        await one.$disconnect();
      }
    };
    expect(await prepared(db.databaseUrl)).toContain('lathe_claim_stages');
    const pgbouncerUrl = new URL(db.databaseUrl);
    pgbouncerUrl.searchParams.set('pgbouncer', 'true');
    expect(await prepared(pgbouncerUrl.toString())).toEqual([]);
  });
});
