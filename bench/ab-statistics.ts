/**
 * A/B statistics at scale, measured in one process against one isolated, migrated Postgres
 * schema (dropped at the end):
 *   pnpm exec tsx bench/ab-statistics.ts [events=10000000] [intakeEvents=200000] [rounds=3]
 * (0 events or 0 intakeEvents skips that part.)
 *
 * 1. Read cost of an A/B test's analysis with `events` events stored. The report path — the
 *    test (getAbTest), its policy, its kept sufficient statistics (`abTestStatistics`: a few
 *    AbStat and AbRequestStat rows) and `analyseStoredTest`, what GET /ab-tests/:id/report and
 *    the rollout monitor run — against the raw SQL aggregate the project used before the kept
 *    statistics (`abVariantTotals`, from commit 262033c of packages/registry/src/repositories/
 *    ab-tests.ts): per variant, distinct exposed units, converted units, revenue per unit's sum
 *    and sum of squares, scanning every AbEvent row of the test. Medians of several runs, and
 *    the ratio report/raw (target ≤ 0.1). The raw side only aggregates (no analysis), so the
 *    ratio leans against the kept statistics.
 *
 *    Loading: `events` events through the intake would take hours, so the rows are made in SQL.
 *    AbEvent gets, per unit u1…uU (U ≈ events / 1.06), one exposure (step 0; arm by a hash of
 *    the unit, 50/50 as the default policy's split), a `conversion` outcome for ≈5% of units
 *    and a `revenue` outcome (5 to 107) for ≈20% of those, with the intake's idempotency keys
 *    (abEventKey), by `INSERT … SELECT` over `generate_series` (no rows cross the wire). Then
 *    the kept rows are built from AbEvent by three aggregates: AbUnit (each unit's first
 *    exposure: arm, step, time; a placeholder for a unit with outcomes only), AbUnitMetric (per
 *    unit and metric it has outcomes of, their sum; covariate 0, as the CUPED lookback finds no
 *    history at this endpoint; a unit without outcomes has no row, its value is 0) and
 *    AbStat (per arm, step and metric: units, Σf(y), Σf(y)², and the covariate sums, with f the
 *    metric's per-unit value: converted at all for a proportion, the sum for a mean). These are
 *    the rows `recordAbEvents` keeps for the same events, and this bench checks it: a sample of
 *    the same generator (SAMPLE_EVENTS events) is loaded the same way into one test and sent
 *    through the real intake (`recordAbEvents`, batches of 1,000 in time order, so many
 *    outcomes arrive batches after their unit's exposure) into another, and their AbUnit,
 *    AbUnitMetric and AbStat rows are compared. The gateway's request counts (one AbRequestStat
 *    row per arm, written with `recordRequestStats`) are added so the guardrails have data.
 *    Bulk-load only: the big load runs in two sessions at once, skips the foreign-key triggers
 *    (session_replication_role, as pg_restore does; the ids are the test's own), builds
 *    AbEvent's secondary indexes and AbUnit's and AbUnitMetric's primary keys after the rows
 *    are in, then VACUUM ANALYZE (what autovacuum would have done by then). The tables,
 *    indexes and constraints are the migrated ones when the timing starts. Ctrl-C drops the
 *    schema too (a 10M-event load leaves several GB).
 *
 * 2. Event intake throughput: `intakeEvents` events (each unit an exposure, 5% with a
 *    conversion outcome up to a minute later, step 0, in time order) through `recordAbEvents`
 *    in batches of 1,000 as the gateway writes them (one caller, each batch its transaction),
 *    against plain `COPY … FROM STDIN` of the same rows into AbEvent (a fresh test each time):
 *    once as one COPY per batch of 1,000 (same batches as the intake, each its own statement)
 *    and once as a single COPY of all rows (the ceiling of a plain write). Medians over
 *    `rounds` rounds that alternate which side goes first, after a warm-up of each; the ratio
 *    intake/raw per-batch COPY is the target (≥ 0.5), the one against the single COPY is shown
 *    alongside. (pg-copy-streams is not installed; support/pg-copy.ts speaks COPY over pg.)
 *    Each side's CPU per 1,000 events, in this process and in Postgres, is printed too
 *    (support/cpu-accounting.ts: every `postgres` process on the machine, so other users of the
 *    server show up in it).
 */
import {
  abTestDesign,
  analyseStoredTest,
  LATENCY_BUCKETS_MS,
  rolloutPolicySchema,
  type RolloutPolicy,
} from '../packages/experiments/src/index.ts';
import {
  abEventKey,
  abTestStatistics,
  createAbTest,
  createRegistry,
  getAbTest,
  poolOf,
  recordAbEvents,
  recordRequestStats,
  registerModelVersion,
  startAbTest,
  type AbTestWithVariants,
  type Json,
  type NewAbEvent,
  type Registry,
} from '../packages/registry/src/index.ts';
import { createTestDatabase } from '../test/harness/index.ts';
import { describeCpuPer, withCpuAccounting, type CpuSpent } from './support/cpu-accounting.ts';
import { copyField, copyFrom } from './support/pg-copy.ts';
import { median } from './support/median.ts';

const totalEvents = Number(process.argv[2] ?? 10_000_000);
const intakeEvents = Number(process.argv[3] ?? 200_000);
const rounds = Number(process.argv[4] ?? 3);
/** Events of the intake-vs-SQL check of the kept rows. */
const SAMPLE_EVENTS = 20_000;
const BATCH = 1_000;
/** Exposure + 51/1024 conversions + 51/1024 · 205/1024 revenue outcomes per unit. */
const EVENTS_PER_UNIT = 1 + 51 / 1024 + (51 / 1024) * (205 / 1024);
/** Units loaded per INSERT of the big load (progress is printed after each). */
const LOAD_CHUNK_UNITS = 1_000_000;
const REPORT_RUNS = 15;
const RAW_RUNS = 3;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const elapsed = (start: number) => performance.now() - start;

/** A client of the registry's own pool (its search path is the schema): raw SQL and COPY. */
const connectClient = (registry: Registry) => poolOf(registry)!.connect();
type PoolClient = Awaited<ReturnType<typeof connectClient>>;

const db = await createTestDatabase('bench_ab');
const registry = createRegistry({ databaseUrl: db.databaseUrl, schema: db.schema });
const policy: RolloutPolicy = rolloutPolicySchema.parse({ metric: 'conversion' });
const design = abTestDesign(policy);
let tests = 0;

async function newTest(label: string, models: [string, string]): Promise<AbTestWithVariants> {
  const n = ++tests;
  const created = await createAbTest(registry, {
    name: `bench-${label}-${n}`,
    endpoint: `bench-${label}-${n}`,
    experimentId: null,
    primaryMetric: policy.metric,
    policy: policy as unknown as Json,
    salt: `bench-${n}`,
    variants: [
      { name: 'control', isControl: true, modelVersionId: models[0], weight: 1 - design.treatmentSplit },
      { name: 'treatment', isControl: false, modelVersionId: models[1], weight: design.treatmentSplit },
    ],
    coverage: design.coverage,
    metrics: design.metrics,
    covariateLookbackMs: design.covariateLookbackMs,
  });
  return (await startAbTest(registry, created.id, new Date())).after;
}

function arms(test: AbTestWithVariants): { control: string; treatment: string } {
  const control = test.variants.find((v) => v.isControl)!.id;
  const treatment = test.variants.find((v) => !v.isControl)!.id;
  return { control, treatment };
}

/** AbEvent rows of units u<from>…u<to> of the generator, for `test`, made in SQL. */
async function generateEvents(
  client: PoolClient,
  test: AbTestWithVariants,
  from: number,
  to: number,
): Promise<number> {
  const { control, treatment } = arms(test);
  const result = await client.query(
    `INSERT INTO "AbEvent" ("abTestId", "variantId", "type", "unitId", "metric", "value", "idempotencyKey", "occurredAt", "step")
     SELECT $1, CASE WHEN h.treated THEN $3 ELSE $2 END, e.type::"AbEventType", 'u' || g.i, e.metric, e.value,
            $1 || ':' || e.key || 'u' || g.i, $4::timestamptz + (g.i * 10 + e.delay) * interval '1 millisecond', 0
       FROM generate_series($5::bigint, $6::bigint) AS g(i)
      CROSS JOIN LATERAL (SELECT (hashint8extended(g.i, 1) & 1023) < 512 AS treated,
                                 (hashint8extended(g.i, 2) & 1023) < 51 AS converts,
                                 (hashint8extended(g.i, 3) & 1023) < 205 AS pays,
                                 hashint8extended(g.i, 4) & 65535 AS delay,
                                 ((hashint8extended(g.i, 5) & 1023) * 0.1 + 5)::float8 AS amount) AS h
      CROSS JOIN LATERAL (VALUES ('exposure', '', 0::float8, 'exposure:0:', 0::bigint),
                                 ('outcome', 'conversion', 1::float8, 'conversion:', h.delay),
                                 ('outcome', 'revenue', h.amount, 'revenue:', h.delay + 1000)) AS e(type, metric, value, key, delay)
      WHERE e.type = 'exposure' OR (h.converts AND (e.metric = 'conversion' OR h.pays))`,
    [test.id, control, treatment, test.startedAt, from, to],
  );
  return result.rowCount ?? 0;
}

/**
 * The kept rows of `test` built from its AbEvent rows: what recordAbEvents keeps for the same
 * events (checked on a sample by `verifyKeptRows`). No UnitOutcome history exists at the
 * endpoint, so every covariate is 0 (the CUPED lookback's answer).
 */
async function buildKeptRows(
  client: PoolClient,
  test: AbTestWithVariants,
  progress: (step: string) => void = () => undefined,
): Promise<void> {
  const metrics = test.metrics as unknown as Array<{ name: string; kind: string }>;
  const names = metrics.map((m) => m.name);
  const kinds = metrics.map((m) => m.kind);
  // Each statement below reads or joins rows just written: the planner needs their statistics.
  await client.query('ANALYZE "AbEvent"');
  // Each unit enters at its first exposure, in the stratum of that exposure's step.
  await client.query(
    `INSERT INTO "AbUnit" ("abTestId", "unitId", "variantId", "step", "firstExposedAt", "covariateSource")
     SELECT DISTINCT ON ("unitId") "abTestId", "unitId", "variantId", "step", "occurredAt", 'lookback'
       FROM "AbEvent" WHERE "abTestId" = $1 AND "type" = 'exposure'
      ORDER BY "unitId", "occurredAt", "id"`,
    [test.id],
  );
  await client.query('ANALYZE "AbUnit"');
  progress('AbUnit');
  // A unit never exposed that has outcomes is a placeholder row, as the intake leaves it.
  await client.query(
    `INSERT INTO "AbUnit" ("abTestId", "unitId", "covariateSource")
     SELECT DISTINCT "abTestId", "unitId", 'lookback' FROM "AbEvent" o
      WHERE o."abTestId" = $1 AND o."type" = 'outcome' AND o."metric" = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM "AbUnit" u WHERE u."abTestId" = $1 AND u."unitId" = o."unitId")`,
    [test.id, names],
  );
  // Unit-metric rows only where a unit has outcomes of the metric (no covariates here): the others are 0.
  await client.query(
    `INSERT INTO "AbUnitMetric" ("abTestId", "unitId", "metric", "value", "preValue")
     SELECT $1, "unitId", "metric", SUM("value"), 0 FROM "AbEvent"
      WHERE "abTestId" = $1 AND "type" = 'outcome' AND "metric" = ANY($2::text[])
      GROUP BY "unitId", "metric"`,
    [test.id, names],
  );
  await client.query('ANALYZE "AbUnitMetric"');
  progress('AbUnitMetric');
  await client.query(
    `INSERT INTO "AbStat" ("abTestId", "variantId", "step", "metric", "units", "sum", "sumSquares", "covariateSum", "covariateSumSquares", "crossSum")
     SELECT $1, "variantId", "step", "metric", COUNT(*), SUM(y), SUM(y * y), SUM(x), SUM(x * x), SUM(x * y)
       FROM (SELECT u."variantId", u."step", um."metric",
                    CASE WHEN m.kind = 'proportion' THEN (um."value" > 0)::int::float8 ELSE um."value" END AS y,
                    CASE WHEN m.kind = 'proportion' THEN (um."preValue" > 0)::int::float8 ELSE um."preValue" END AS x
               FROM "AbUnit" u
               CROSS JOIN unnest($2::text[], $3::text[]) AS m(name, kind)
               LEFT JOIN "AbUnitMetric" um0 ON um0."abTestId" = u."abTestId" AND um0."unitId" = u."unitId" AND um0."metric" = m.name
               CROSS JOIN LATERAL (SELECT m.name AS "metric", COALESCE(um0."value", 0) AS "value", COALESCE(um0."preValue", 0) AS "preValue") AS um
              WHERE u."abTestId" = $1 AND u."variantId" IS NOT NULL) AS per_unit
      GROUP BY "variantId", "step", "metric"`,
    [test.id, names, kinds],
  );
  progress('AbStat');
}

/** The kept rows of a test, by variant name, for comparing two tests. */
async function keptRows(test: AbTestWithVariants) {
  const name = new Map(test.variants.map((v) => [v.id, v.name]));
  const [units, unitMetrics, stats] = await Promise.all([
    registry.abUnit.findMany({ where: { abTestId: test.id }, orderBy: { unitId: 'asc' } }),
    registry.abUnitMetric.findMany({
      where: { abTestId: test.id },
      orderBy: [{ unitId: 'asc' }, { metric: 'asc' }],
    }),
    registry.abStat.findMany({
      where: { abTestId: test.id },
      orderBy: [{ variantId: 'asc' }, { step: 'asc' }, { metric: 'asc' }],
    }),
  ]);
  return {
    units: units.map((u) => ({
      unitId: u.unitId,
      variant: u.variantId ? name.get(u.variantId)! : null,
      step: u.step,
      firstExposedAt: u.firstExposedAt?.getTime() ?? null,
      covariateSource: u.covariateSource,
    })),
    unitMetrics: unitMetrics.map(({ unitId, metric, value, preValue }) => ({
      unitId,
      metric,
      value,
      preValue,
    })),
    stats: stats
      .map(({ abTestId: _, variantId, ...s }) => ({ variant: name.get(variantId)!, ...s }))
      .sort((a, b) => `${a.variant}${a.step}${a.metric}`.localeCompare(`${b.variant}${b.step}${b.metric}`)),
  };
}

/** Equal, numbers within a relative 1e-9 (sums of floats added in another order). */
function sameRows(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameRows(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => sameRows((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

/**
 * The generator's first SAMPLE_EVENTS events: into one test by SQL with the kept rows built
 * by `buildKeptRows`, and the same events (read back, in time order) into another through
 * recordAbEvents in batches of 1,000. Their kept rows must be the same.
 */
async function verifyKeptRows(client: PoolClient, models: [string, string]): Promise<boolean> {
  const bySql = await newTest('sample-sql', models);
  const byIntake = await newTest('sample-intake', models);
  const units = Math.round(SAMPLE_EVENTS / EVENTS_PER_UNIT);
  const events = await generateEvents(client, bySql, 1, units);
  await buildKeptRows(client, bySql);
  const variantOf = new Map(
    bySql.variants.map((v) => [v.id, byIntake.variants.find((w) => w.name === v.name)!.id]),
  );
  const stored = await registry.abEvent.findMany({
    where: { abTestId: bySql.id },
    orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
  });
  const toIntake: NewAbEvent[] = stored.map((e) => ({
    variantId: variantOf.get(e.variantId)!,
    type: e.type,
    unitId: e.unitId,
    ...(e.type === 'outcome' ? { metric: e.metric, value: e.value } : {}),
    idempotencyKey: byIntake.id + e.idempotencyKey.slice(bySql.id.length),
    occurredAt: e.occurredAt,
    step: e.step,
  }));
  let batchesAcross = 0;
  const exposedInBatch = new Map<string, number>();
  for (let start = 0; start < toIntake.length; start += BATCH) {
    const batch = toIntake.slice(start, start + BATCH);
    for (const e of batch) {
      if (e.type === 'exposure') exposedInBatch.set(e.unitId, start);
      else if (exposedInBatch.get(e.unitId) !== start) batchesAcross++;
    }
    await recordAbEvents(registry, byIntake.id, batch);
  }
  const [a, b] = await Promise.all([keptRows(bySql), keptRows(byIntake)]);
  const same = {
    units: sameRows(a.units, b.units),
    unitMetrics: sameRows(a.unitMetrics, b.unitMetrics),
    stats: sameRows(a.stats, b.stats),
  };
  const ok = same.units && same.unitMetrics && same.stats;
  console.log(
    `check of the SQL-built kept rows on a sample: ${events} events (${units} units, ${toIntake.length - units} outcomes, ${batchesAcross} of them in a later batch than their exposure) ` +
      `through recordAbEvents vs built in SQL: AbUnit ${a.units.length}/${b.units.length} rows ${same.units ? 'same' : 'DIFFERENT'}, ` +
      `AbUnitMetric ${a.unitMetrics.length}/${b.unitMetrics.length} ${same.unitMetrics ? 'same' : 'DIFFERENT'}, AbStat ${a.stats.length}/${b.stats.length} ${same.stats ? 'same' : 'DIFFERENT'}`,
  );
  if (!ok) {
    console.log('  AbStat built in SQL:', JSON.stringify(a.stats));
    console.log('  AbStat by the intake:', JSON.stringify(b.stats));
  }
  return ok;
}

/** Runs `work` on every item, one at a time per session, the sessions at once. */
async function eachOn<T>(
  sessions: PoolClient[],
  items: T[],
  work: (session: PoolClient, item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    sessions.map(async (session) => {
      while (next < items.length) await work(session, items[next++]!);
    }),
  );
}

/** The big test: `totalEvents` events and their kept rows, bulk-loaded (see the header). */
async function loadBigTest(
  client: PoolClient,
  models: [string, string],
): Promise<{ test: AbTestWithVariants; events: number }> {
  const test = await newTest('big', models);
  const units = Math.max(1, Math.round(totalEvents / EVENTS_PER_UNIT));
  const started = performance.now();
  // Two sessions load at once (the server's INSERT uses one core), with bulk-load settings of
  // their own that are reset before anything is measured.
  const second = await connectClient(registry);
  const sessions = [client, second];
  for (const session of sessions) {
    await session.query('SET session_replication_role = replica');
    await session.query(`SET work_mem = '256MB'`);
    await session.query(`SET maintenance_work_mem = '1GB'`);
  }
  let events = 0;
  try {
    // Secondary structures are built once the rows are in: AbEvent's indexes, the kept tables' keys.
    const indexes = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'AbEvent' AND indexname <> 'AbEvent_pkey'`,
    );
    const keys = await client.query<{ table: string; name: string; definition: string }>(
      `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
        WHERE connamespace = current_schema()::regnamespace AND contype = 'p' AND conrelid::regclass::text IN ('"AbUnit"', '"AbUnitMetric"')`,
    );
    for (const index of indexes.rows) await client.query(`DROP INDEX "${index.indexname}"`);
    for (const key of keys.rows) await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT "${key.name}"`);
    const chunks: Array<[number, number]> = [];
    for (let from = 1; from <= units; from += LOAD_CHUNK_UNITS)
      chunks.push([from, Math.min(units, from + LOAD_CHUNK_UNITS - 1)]);
    await eachOn(sessions, chunks, async (session, [from, to]) => {
      const loaded = await generateEvents(session, test, from, to);
      events += loaded;
      console.log(
        `  loaded units ${from}–${to} of ${units}, ${events} events so far, ${seconds(elapsed(started))}`,
      );
    });
    await eachOn(sessions, indexes.rows, (session, index) => session.query(index.indexdef));
    console.log(`  AbEvent indexes built, ${seconds(elapsed(started))}`);
    await buildKeptRows(client, test, (step) =>
      console.log(`  ${step} rows built, ${seconds(elapsed(started))}`),
    );
    await eachOn(sessions, keys.rows, (session, key) =>
      session.query(`ALTER TABLE ${key.table} ADD CONSTRAINT "${key.name}" ${key.definition}`),
    );
    console.log(`  AbUnit and AbUnitMetric keys built, ${seconds(elapsed(started))}`);
  } finally {
    for (const session of sessions) {
      await session.query('RESET session_replication_role');
      await session.query('RESET work_mem');
      await session.query('RESET maintenance_work_mem');
    }
    second.release();
  }
  // The gateway's request counts: one per unit's exposure, a few errors and slow requests.
  const perArm = await client.query<{ variantId: string; units: number }>(
    `SELECT "variantId", COUNT(*)::int AS units FROM "AbUnit" WHERE "abTestId" = $1 AND "variantId" IS NOT NULL GROUP BY "variantId"`,
    [test.id],
  );
  await recordRequestStats(
    registry,
    test.id,
    perArm.rows.map((r) => {
      const histogram = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
      histogram[2] = r.units;
      return {
        variantId: r.variantId,
        step: 0,
        requests: r.units,
        errors: Math.round(r.units / 1000),
        slow: Math.round(r.units / 100),
        latencySumMs: r.units * 20,
        latencyHistogram: histogram,
      };
    }),
  );
  for (const table of ['AbEvent', 'AbUnit', 'AbUnitMetric', 'AbStat'])
    await client.query(`VACUUM ANALYZE "${table}"`);
  console.log(`  vacuumed and analysed, ${seconds(elapsed(started))}`);
  return { test, events };
}

/** The report's path: the test, its policy, its kept statistics, the analysis. */
async function reportPath(id: string, readTimes: number[] = []) {
  const start = performance.now();
  const test = await getAbTest(registry, id);
  const testPolicy = rolloutPolicySchema.parse(test.policy);
  const stats = await abTestStatistics(registry, test.id);
  readTimes.push(elapsed(start));
  return analyseStoredTest(test, stats, testPolicy, new Date());
}

/** The raw aggregate the project used before kept statistics (abVariantTotals at 262033c). */
async function rawAggregate(abTestId: string) {
  const since = new Date(0);
  const conversionMetric = 'conversion';
  return registry.$queryRaw<
    Array<{
      variantId: string;
      exposures: bigint;
      conversions: bigint;
      revenue_sum: number;
      revenue_sum_squares: number;
    }>
  >`
    WITH exposed AS (
      SELECT DISTINCT "variantId", "unitId" FROM "AbEvent" WHERE "abTestId" = ${abTestId} AND "type" = 'exposure' AND "occurredAt" >= ${since}
    ), converted AS (
      SELECT DISTINCT "variantId", "unitId" FROM "AbEvent"
       WHERE "abTestId" = ${abTestId} AND "type" = 'outcome' AND "metric" = ${conversionMetric} AND "occurredAt" >= ${since}
    ), revenue AS (
      SELECT "variantId", "unitId", SUM("value") AS amount FROM "AbEvent"
       WHERE "abTestId" = ${abTestId} AND "type" = 'outcome' AND "metric" = 'revenue' AND "occurredAt" >= ${since}
       GROUP BY "variantId", "unitId"
    )
    SELECT e."variantId", COUNT(*) AS exposures, COUNT(c."unitId") AS conversions,
           COALESCE(SUM(r.amount), 0)::float8 AS revenue_sum, COALESCE(SUM(r.amount * r.amount), 0)::float8 AS revenue_sum_squares
      FROM exposed e
      LEFT JOIN converted c ON c."variantId" = e."variantId" AND c."unitId" = e."unitId"
      LEFT JOIN revenue r ON r."variantId" = e."variantId" AND r."unitId" = e."unitId"
     GROUP BY e."variantId"`;
}

async function timeRuns<T>(runs: number, work: () => Promise<T>): Promise<{ times: number[]; result: T }> {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = await work();
    times.push(elapsed(start));
  }
  return { times, result };
}

async function partOne(client: PoolClient, models: [string, string]): Promise<void> {
  console.log(
    `-- 1. report/monitor read cost: kept statistics vs a raw SQL aggregate, ${totalEvents} events requested`,
  );
  const verified = await verifyKeptRows(client, models);
  if (!verified)
    throw new Error(
      'the SQL-built kept rows differ from the intake’s: the comparison below would not be like with like',
    );
  const { test, events } = await loadBigTest(client, models);
  // One warm-up of the report path (Prisma's first use of its statements); the raw aggregate's
  // slowest run (the first, reading AbEvent into the OS cache) is left out by the median.
  await reportPath(test.id);
  const readTimes: number[] = [];
  const report = await timeRuns(REPORT_RUNS, () => reportPath(test.id, readTimes));
  const raw = await timeRuns(RAW_RUNS, () => rawAggregate(test.id));
  const primary = report.result.treatments[0]?.primary;
  const control = raw.result.find((r) => r.variantId === arms(test).control);
  const treatment = raw.result.find((r) => r.variantId === arms(test).treatment);
  console.log(
    `events in AbEvent: ${events} (${raw.result.reduce((n, r) => n + Number(r.exposures), 0)} exposed units)`,
  );
  console.log(
    `  kept statistics: conversion control ${primary?.control.toFixed(5)} treatment ${primary?.treatment.toFixed(5)} over ${primary?.units.control}+${primary?.units.treatment} units; ` +
      `raw aggregate: ${Number(control?.conversions) / Number(control?.exposures)} / ${Number(treatment?.conversions) / Number(treatment?.exposures)}`,
  );
  const reportMs = median(report.times);
  const rawMs = median(raw.times);
  console.log(
    `report path (getAbTest + abTestStatistics + analyseStoredTest): ${reportMs.toFixed(2)} ms median of ${REPORT_RUNS} [${report.times.map((t) => t.toFixed(1)).join(', ')}]`,
  );
  const analysisTimes = report.times.map((t, i) => t - readTimes[i]!);
  console.log(
    `  of which reads (getAbTest + abTestStatistics) ${median(readTimes).toFixed(2)} ms, analyseStoredTest ${median(analysisTimes).toFixed(2)} ms (medians)`,
  );
  console.log(
    `raw SQL aggregate over AbEvent (abVariantTotals):              ${rawMs.toFixed(1)} ms median of ${RAW_RUNS} [${raw.times.map((t) => t.toFixed(0)).join(', ')}]`,
  );
  console.log(`ratio report/raw: ${(reportMs / rawMs).toExponential(2)} (target ≤ 0.1)`);
}

/** One test's share of the intake bench's events: unit u<i> exposed at i·10 ms, 5% convert up to a minute later. */
function intakeEventsFor(test: AbTestWithVariants, count: number): NewAbEvent[] {
  const { control, treatment } = arms(test);
  let seed = 2024;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const t0 = test.startedAt!.getTime();
  const events: NewAbEvent[] = [];
  for (let i = 1; events.length < count; i++) {
    const unitId = `u${i}`;
    const variantId = random() < design.treatmentSplit ? treatment : control;
    events.push({
      variantId,
      type: 'exposure',
      unitId,
      idempotencyKey: abEventKey(test.id, { type: 'exposure', unitId }, 0),
      occurredAt: new Date(t0 + i * 10),
      step: 0,
    });
    if (random() < 0.05 && events.length < count) {
      const occurredAt = new Date(t0 + i * 10 + Math.floor(random() * 60_000));
      events.push({
        variantId,
        type: 'outcome',
        unitId,
        metric: 'conversion',
        value: 1,
        idempotencyKey: abEventKey(
          test.id,
          { type: 'outcome', unitId, idempotencyKey: `conversion:${unitId}` },
          0,
        ),
        occurredAt,
        step: 0,
      });
    }
  }
  return events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
}

function batchesOf<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += BATCH) out.push(xs.slice(i, i + BATCH));
  return out;
}

/** Events/s, and the CPU this process and the servers spent meanwhile (support/cpu-accounting.ts). */
interface Rate {
  rate: number;
  cpu: CpuSpent;
}

async function timedWrite(count: number, write: () => Promise<number>, what: string): Promise<Rate> {
  const start = performance.now();
  const { result: stored, cpu } = await withCpuAccounting(write);
  const rate = count / (elapsed(start) / 1000);
  if (stored !== count) throw new Error(`${what} stored ${stored} of ${count} events`);
  return { rate, cpu };
}

async function intakeRate(models: [string, string], count: number): Promise<Rate> {
  const test = await newTest('intake', models);
  const batches = batchesOf(intakeEventsFor(test, count));
  return timedWrite(
    count,
    async () => {
      let stored = 0;
      for (const batch of batches) stored += await recordAbEvents(registry, test.id, batch);
      return stored;
    },
    'the intake',
  );
}

const COPY_SQL = `COPY "AbEvent" ("abTestId", "variantId", "type", "unitId", "metric", "value", "idempotencyKey", "occurredAt", "step") FROM STDIN`;

function copyLines(abTestId: string, events: NewAbEvent[]): string {
  let text = '';
  for (const e of events) {
    const outcome = e.type === 'outcome';
    text += `${copyField(abTestId)}\t${copyField(e.variantId)}\t${e.type}\t${copyField(e.unitId)}\t${copyField(outcome ? (e.metric ?? '') : '')}\t${outcome ? (e.value ?? 1) : 0}\t${copyField(e.idempotencyKey)}\t${e.occurredAt.toISOString()}\t${e.step}\n`;
  }
  return text;
}

/** Plain COPY of the same rows (`perBatch`: one COPY per batch of 1,000, else one for all). */
async function copyRate(
  client: PoolClient,
  models: [string, string],
  count: number,
  perBatch: boolean,
): Promise<Rate> {
  const test = await newTest('copy', models);
  const batches = batchesOf(intakeEventsFor(test, count));
  return timedWrite(
    count,
    async () => {
      if (!perBatch) {
        return copyFrom(
          client,
          COPY_SQL,
          (function* () {
            for (const batch of batches) yield copyLines(test.id, batch);
          })(),
        );
      }
      let stored = 0;
      for (const batch of batches) stored += await copyFrom(client, COPY_SQL, [copyLines(test.id, batch)]);
      return stored;
    },
    'COPY',
  );
}

async function partTwo(client: PoolClient, models: [string, string]): Promise<void> {
  console.log(
    `-- 2. event intake throughput: ${intakeEvents} events (exposures, 5% with a conversion), batches of ${BATCH}, ${rounds} rounds`,
  );
  const warmUp = Math.min(intakeEvents, 20 * BATCH);
  await intakeRate(models, warmUp);
  await copyRate(client, models, warmUp, true);
  await copyRate(client, models, warmUp, false);
  const sides = { intake: [] as Rate[], copyBatches: [] as Rate[], copyAll: [] as Rate[] };
  for (let round = 0; round < rounds; round++) {
    const intakeFirst = round % 2 === 0;
    if (intakeFirst) sides.intake.push(await intakeRate(models, intakeEvents));
    sides.copyBatches.push(await copyRate(client, models, intakeEvents, true));
    sides.copyAll.push(await copyRate(client, models, intakeEvents, false));
    if (!intakeFirst) sides.intake.push(await intakeRate(models, intakeEvents));
    console.log(
      `round ${round + 1}: recordAbEvents ${sides.intake.at(-1)!.rate.toFixed(0)} events/s, COPY per batch ${sides.copyBatches.at(-1)!.rate.toFixed(0)} events/s, one COPY ${sides.copyAll.at(-1)!.rate.toFixed(0)} events/s`,
    );
  }
  const summary = (rates: Rate[]) => {
    const cpu: CpuSpent = { nodeMs: 0, postgresMs: 0, redisMs: 0 };
    for (const r of rates) {
      cpu.nodeMs += r.cpu.nodeMs;
      cpu.postgresMs += r.cpu.postgresMs;
    }
    return {
      rate: median(rates.map((r) => r.rate)),
      cpu: describeCpuPer(cpu, (rates.length * intakeEvents) / BATCH).replace(/ \+ redis [^=]*/, ' '),
    };
  };
  const [i, b, a] = [summary(sides.intake), summary(sides.copyBatches), summary(sides.copyAll)];
  console.log(
    `recordAbEvents (rows + kept statistics): ${i.rate.toFixed(0)} events/s (median), CPU per ${BATCH} events: ${i.cpu}`,
  );
  console.log(
    `raw COPY, one per batch of ${BATCH}:       ${b.rate.toFixed(0)} events/s (median), CPU per ${BATCH} events: ${b.cpu}`,
  );
  console.log(
    `raw COPY, all rows in one:              ${a.rate.toFixed(0)} events/s (median), CPU per ${BATCH} events: ${a.cpu}`,
  );
  console.log(
    `ratio intake/raw COPY per batch: ${(i.rate / b.rate).toFixed(3)} (target ≥ 0.5); intake/one COPY: ${(i.rate / a.rate).toFixed(3)}`,
  );
}

// Interrupted (Ctrl-C), the schema would keep gigabytes: end this bench's own sessions in it and drop it.
const onSignal = (signal: NodeJS.Signals) => {
  console.log(`${signal}: dropping the bench schema ${db.schema}`);
  void (async () => {
    try {
      await db.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND l.pid <> pg_backend_pid()`,
        [db.schema],
      );
      await db.drop();
    } finally {
      process.exit(130);
    }
  })();
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

let client: PoolClient | undefined;
try {
  const models = await Promise.all(
    ['control', 'treatment'].map(async (name) => {
      const { modelVersion } = await registerModelVersion(registry, {
        modelName: `bench-ab-${name}`,
        useCase: 'tabular',
        modelFamily: 'noop',
        artifactUri: 'memory://bench',
        sha256: 'c'.repeat(64),
        sizeBytes: 1,
        signature: {},
      });
      return modelVersion.id;
    }),
  );
  client = await connectClient(registry);
  const pair: [string, string] = [models[0]!, models[1]!];
  if (totalEvents > 0) await partOne(client, pair);
  if (intakeEvents > 0) await partTwo(client, pair);
} finally {
  client?.release();
  await registry.$disconnect();
  await db.drop();
}
process.exit(0);
