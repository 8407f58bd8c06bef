import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimStages,
  createExperiment,
  createRegistry,
  createRuns,
  ensureDataset,
  finishStages,
  hotPathOf,
  poolOf,
  STAGES,
} from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('client');
});
afterAll(async () => {
  await db.drop();
});

const setting = async (pool: NonNullable<ReturnType<typeof poolOf>>, names: string[]) => {
  const { rows } = await pool.query<{ name: string; value: string }>(
    'SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name',
    [names],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
};

describe('registry client', () => {
  it("runs Prisma's queries and the hot path on two pools, both in UTC on the test schema; only the hot path plans for key lookups", async () => {
    const registry = createRegistry({ databaseUrl: db.databaseUrl, schema: db.schema, maxConnections: 3 });
    const pool = poolOf(registry)!;
    const hot = hotPathOf(registry)!.pool;
    expect(hot).not.toBe(pool);
    await registry.dataset.count(); // through Prisma's adapter
    // Had the adapter not taken this pool (say, a second copy of pg), it would hold no connection.
    expect(pool.totalCount).toBeGreaterThanOrEqual(1);
    const names = ['TimeZone', 'search_path', 'enable_seqscan', 'plan_cache_mode'];
    expect(await setting(pool, names)).toEqual({
      TimeZone: 'UTC',
      search_path: `"${db.schema}"`,
      enable_seqscan: 'on',
      plan_cache_mode: 'auto',
    });
    expect(await setting(hot, names)).toEqual({
      TimeZone: 'UTC',
      search_path: `"${db.schema}"`,
      enable_seqscan: 'off',
      plan_cache_mode: 'force_generic_plan',
    });
    await registry.$disconnect();
    // $disconnect ends both pools (no connection left open behind Prisma's back).
    expect(pool.ended).toBe(true);
    expect(hot.ended).toBe(true);
  });

  it('prepares the hot-path statements once per connection, unless the URL says pgbouncer=true', async () => {
    const prepared = async (databaseUrl: string) => {
      const one = createRegistry({
        databaseUrl,
        schema: db.schema,
        maxConnections: 1,
        hotPathConnections: 1,
      });
      try {
        await claimStages(one, [{ runId: 'no-such-run', stage: 'ingest' }]);
        const { rows } = await hotPathOf(one)!.pool.query<{ name: string }>(
          'SELECT name FROM pg_prepared_statements',
        );
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

  it('keeps finding rows by key with plans made while the tables were nearly empty', async () => {
    // One hot connection: the plans made on the first calls are the ones examined at the end.
    const registry = createRegistry({
      databaseUrl: db.databaseUrl,
      schema: db.schema,
      maxConnections: 2,
      hotPathConnections: 1,
    });
    try {
      const dataset = await ensureDataset(registry, { name: 'plans', useCase: 'tabular' });
      const experiment = await createExperiment(registry, {
        name: 'plans',
        useCase: 'tabular',
        modelFamily: 'mlp',
        hyperparameters: {},
        datasetId: dataset.id,
        gate: [],
        rolloutPolicy: {},
      });
      const runPipelines = async (count: number) => {
        const made = await createRuns(
          registry,
          Array.from({ length: count }, () => ({ experimentId: experiment.id })),
        );
        const ids = made.map((m) => {
          if (m instanceof Error) throw m;
          return m.run.id;
        });
        for (const stage of STAGES) {
          await claimStages(
            registry,
            ids.map((runId) => ({ runId, stage })),
          );
          await finishStages(
            registry,
            ids.map((runId) => ({ runId, stage, output: { ok: true } })),
          );
        }
        return ids;
      };
      // A generic plan is made after a few executions: make them on tiny tables...
      for (let i = 0; i < 8; i++) await runPipelines(1);
      // ...then grow the tables, and look at the plans that connection now uses.
      await runPipelines(400);
      const [runId] = await runPipelines(1);
      const hot = hotPathOf(registry)!.pool;
      const { rows } = await hot.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (FORMAT JSON) EXECUTE lathe_claim_stages('{${runId}}', '{train}')`,
      );
      const seqScans: string[] = [];
      const indexes: string[] = [];
      const walk = (node: Record<string, unknown>) => {
        if (node['Node Type'] === 'Seq Scan') seqScans.push(String(node['Relation Name']));
        if (typeof node['Index Name'] === 'string') indexes.push(node['Index Name']);
        for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
      };
      walk((rows[0]!['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
      // Every row of Run and StageExecution is reached through its key, never by walking a table
      // or an index on other columns (a cost that grows with the tables).
      expect(seqScans.filter((r) => r === 'Run' || r === 'StageExecution')).toEqual([]);
      expect(indexes.length).toBeGreaterThan(0);
      expect(
        indexes.filter(
          (i) =>
            /^(Run|StageExecution)_/.test(i) && i !== 'Run_pkey' && i !== 'StageExecution_runId_stage_key',
        ),
      ).toEqual([]);
    } finally {
      await registry.$disconnect();
    }
  }, 60_000);
});
