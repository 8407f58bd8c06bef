import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimStages,
  createExperiment,
  createRegistry,
  createRuns,
  ensureDataset,
  finishStages,
  hotPathOf,
  type Registry,
} from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';

// Claims and finishes rewrite a stage row and its run's row for every stage of every run. When
// no indexed column changes and the page has room, Postgres makes them HOT updates, which write
// no index entries; otherwise each update adds an entry to every index of the table.
let db: TestDatabase;
let registry: Registry;

beforeAll(async () => {
  db = await createTestDatabase('hot');
  // One hot-path connection: the session whose statistics are flushed below did all the writes.
  registry = createRegistry({
    databaseUrl: db.databaseUrl,
    schema: db.schema,
    maxConnections: 2,
    hotPathConnections: 1,
  });
});
afterAll(async () => {
  await registry.$disconnect();
  await db.drop();
});

interface TableStats {
  relname: string;
  updates: number;
  hot: number;
}

/** Updates and HOT updates per table, once the writing session's statistics have arrived. */
async function updateStats(expectedUpdates: number): Promise<Record<string, TableStats>> {
  // Statistics reach the shared view when a session next reports (at most once a second).
  await hotPathOf(registry)!.pool.query('SELECT pg_stat_force_next_flush()');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows = await db.query<TableStats>(
      `SELECT relname, n_tup_upd::int AS updates, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables
       WHERE schemaname = $1 AND relname IN ('Run', 'StageExecution')`,
      [db.schema],
    );
    const stats = Object.fromEntries(rows.map((r) => [r.relname, r]));
    if ((stats.StageExecution?.updates ?? 0) >= expectedUpdates || Date.now() > deadline) return stats;
    await hotPathOf(registry)!.pool.query('SELECT pg_stat_force_next_flush()');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Waits (up to 5 s) until no other session of the server holds a snapshot older than the writes
 * just committed. A HOT update needs room on its page, and the page's dead versions are pruned
 * only once no snapshot can see them: a busy server (other test files running) would otherwise
 * decide how many of the next updates find room, not the design under test.
 */
async function awaitPruningHorizon(): Promise<void> {
  const next = (
    await db.query<{ next: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next')
  )[0]!.next;
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const [row] = await db.query<{ older: number }>(
      `SELECT count(*)::int AS older FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL AND backend_xmin::text::bigint < $1::bigint`,
      [next],
    );
    if (row!.older === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('stage bookkeeping writes', () => {
  it('claims and finishes that leave the cache key alone are HOT updates of the stage rows', async () => {
    const dataset = await ensureDataset(registry, { name: 'hot', useCase: 'tabular' });
    const experiment = await createExperiment(registry, {
      name: 'hot',
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: {},
      datasetId: dataset.id,
      gate: [],
      rolloutPolicy: {},
    });
    const made = await createRuns(
      registry,
      Array.from({ length: 200 }, () => ({ experimentId: experiment.id })),
    );
    const ids = made.map((m) => {
      if (m instanceof Error) throw m;
      return m.run.id;
    });
    // Ingest and deploy stages carry no cache key: their status changes are the only writes.
    for (const stage of ['ingest', 'deploy'] as const) {
      for (let i = 0; i < ids.length; i += 20) {
        const batch = ids.slice(i, i + 20);
        const claims = await claimStages(
          registry,
          batch.map((runId) => ({ runId, stage })),
        );
        expect(claims.every((c) => c?.claimed)).toBe(true);
        await awaitPruningHorizon();
        await finishStages(
          registry,
          batch.map((runId) => ({ runId, stage, output: { ok: true } })),
        );
        await awaitPruningHorizon();
      }
    }

    const stats = await updateStats(ids.length * 4);
    expect(stats.StageExecution!.updates).toBe(ids.length * 4);
    // With "status" in an index (the former cache index), none of these was HOT.
    expect(stats.StageExecution!.hot / stats.StageExecution!.updates).toBeGreaterThan(0.9);
    // The run row's status changes twice (queued → running, → succeeded): those two of its four
    // updates must touch Run_status_idx; the others fit on the page (fillfactor).
    expect(stats.Run!.hot / stats.Run!.updates).toBeGreaterThan(0.4);
  }, 60_000);
});
