/**
 * A/B event intake and the sufficient statistics it keeps.
 *
 * A unit's stratum is the step of its first exposure the registry receives: a gateway writes a
 * unit's exposures in order, and were two writers to deliver them out of order the unit would
 * sit one step later, in its own arm, where the expected split is the same — no bias either way.
 *
 * An event batch is written in one transaction that also keeps, per (variant, step, metric),
 * the sums the analysis needs — units, Σy, Σy², and CUPED's Σx, Σx², Σxy — so the monitor and
 * the report read a handful of rows however many events a test has. The unit is the unit of
 * analysis: it enters at its first exposure, in the stratum of the step its route was assigned
 * under (the step the event carries, not the clock), and each tracked metric's per-unit value
 * (a proportion metric: converted at least once; a mean metric: the sum of its values) is kept
 * in AbUnitMetric, so a later outcome changes the sums by f(new) − f(old).
 *
 * Consistency under concurrent batches (READ COMMITTED): each unit's AbUnit row is its lock. A
 * batch first upserts the rows of every unit it touches in one key-ordered statement — a first
 * exposure creates the row exposed (or exposes the placeholder an earlier outcome left), an
 * outcome creates a placeholder — so two batches touching the same unit serialise there, and the
 * second sees what the first committed (whether the unit is exposed, its stratum). Only units with
 * an outcome or a covariate have unit-metric rows (the others are 0). A unit's exposure and
 * outcome written concurrently are therefore counted exactly once, whichever commits first; the
 * stats rows are written last, in key order, so batches cannot deadlock on them.
 * Retried batches add nothing: new events are those whose idempotency key was not stored yet.
 */
import { NotFoundError } from '@lathe/core';
import type { MetricKind, StoredStatistics } from '@lathe/experiments';
import { poolOf } from '../client.ts';
import { type Db, inTransaction } from './db.ts';

export interface NewAbEvent {
  variantId: string;
  type: 'exposure' | 'outcome';
  unitId: string;
  metric?: string;
  value?: number;
  idempotencyKey: string;
  occurredAt: Date;
  /** The traffic step the unit's route was assigned under. */
  step: number;
  /** Exposures: the client's own pre-exposure value per metric, instead of the endpoint's history. */
  covariates?: Record<string, number>;
}

export interface TrackedMetric {
  name: string;
  kind: MetricKind;
}

/**
 * The stored idempotency key of an event: the caller's key, within the test (keys are unique
 * across tests). An exposure without a key is kept once per unit and traffic step. Every intake
 * (the API, the serving gateway) uses this, so the same exposure reported by both is stored once.
 */
export function abEventKey(
  abTestId: string,
  event: { type: 'exposure' | 'outcome'; unitId: string; idempotencyKey?: string | undefined },
  step: number,
): string {
  return `${abTestId}:${event.idempotencyKey ?? `exposure:${step}:${event.unitId}`}`;
}

interface TestRow {
  endpoint: string;
  metrics: TrackedMetric[];
  covariateLookbackMs: number;
}

const statKey = (variantId: string, step: number, metric: string) =>
  `${variantId}\u0000${step}\u0000${metric}`;

/** Records a batch of events and updates the test's sufficient statistics; returns how many events were new. */
export async function recordAbEvents(db: Db, abTestId: string, events: NewAbEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  return withDeadlockRetry(() => inRawTransaction(db, (q) => recordInTransaction(q, abTestId, events)));
}

type Query = <Row = unknown>(sql: string, ...values: unknown[]) => Promise<Row[]>;

/**
 * Runs `work` in a transaction on one of the registry's pg connections, so the intake's few large
 * statements skip Prisma's per-query request building and result decoding (most of the intake's
 * Node CPU, measured in bench/ab-statistics.ts); inside a caller's Prisma transaction it uses that.
 */
async function inRawTransaction<T>(db: Db, work: (q: Query) => Promise<T>): Promise<T> {
  const pool = poolOf(db);
  if (!pool) return inTransaction(db, (tx) => work((sql, ...values) => tx.$queryRawUnsafe(sql, ...values)));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(
      async <Row>(sql: string, ...values: unknown[]) => (await client.query(sql, values)).rows as Row[],
    );
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The batch's first statement, one round trip (on a busy machine every round trip waits for a
 * time slice, so fewer statements matter as much as cheaper ones):
 *  - the test's tracked metrics and CUPED lookback;
 *  - the events, inserted once by key; the keys that were stored already come back (normally
 *    none), not every new one;
 *  - every unit the batch's new events touch, locked through its AbUnit row in one key-ordered
 *    upsert: a first exposure creates the row exposed (or exposes a placeholder an earlier outcome
 *    left), a tracked outcome creates a placeholder when the unit has no row yet. The row is the
 *    unit's lock: a concurrent batch touching the same unit waits here until this one commits,
 *    then sees it. Only the units whose state the batch does not know come back: those exposed
 *    before it, placeholders, and placeholders it exposed (a unit it exposed first entered with
 *    this batch's exposure: its arm, step and time);
 *  - CUPED covariates from the endpoint's history: each entering unit's outcomes in the lookback
 *    window before its first exposure, unless the client sent its own.
 * The rows travel as one JSON document: V8's JSON.stringify and Postgres's json_to_recordset cost
 * a fraction of pg's per-element array literals and Date formatting (bench/ab-statistics.ts).
 */
const INTAKE_SQL = `
WITH test AS (
  SELECT "endpoint", "metrics", "covariateLookbackMs" FROM "AbTest" WHERE "id" = $1
), tracked AS (
  SELECT m->>'name' AS name FROM test, jsonb_array_elements(test."metrics") AS m
), input AS (
  SELECT * FROM json_to_recordset($2::json) AS x(v text, t text, u text, m text, val float8, k text, o timestamptz, s int, c boolean, i int)
), inserted AS (
  INSERT INTO "AbEvent" ("abTestId", "variantId", "type", "unitId", "metric", "value", "idempotencyKey", "occurredAt", "step")
  SELECT $1, v, t::"AbEventType", u, m, val, k, o, s FROM input WHERE EXISTS (SELECT 1 FROM test) ORDER BY i
  ON CONFLICT ("idempotencyKey") DO NOTHING
  RETURNING "idempotencyKey", "type", "unitId", "variantId", "step", "occurredAt", "metric"
), fresh AS (
  SELECT DISTINCT ON (n.k) e.*, n.c, n.i FROM inserted e JOIN input n ON n.k = e."idempotencyKey" ORDER BY n.k, n.i
), first_exposures AS (
  SELECT DISTINCT ON ("unitId") "unitId" AS u, "variantId" AS v, "step" AS s, "occurredAt" AS o, c
    FROM fresh WHERE "type" = 'exposure' ORDER BY "unitId", "occurredAt", i
), touched AS (
  SELECT u, v, s, o, CASE WHEN c THEN 'client' ELSE 'lookback' END AS src FROM first_exposures
  UNION ALL
  SELECT DISTINCT "unitId", NULL::text, NULL::int, NULL::timestamptz, 'lookback' FROM fresh
   WHERE "type" = 'outcome' AND "metric" IN (SELECT name FROM tracked)
     AND NOT EXISTS (SELECT 1 FROM first_exposures f WHERE f.u = fresh."unitId")
), upserted AS (
  INSERT INTO "AbUnit" AS a ("abTestId", "unitId", "variantId", "step", "firstExposedAt", "covariateSource", "exposedIn")
  SELECT $1, u, v, s, o, src, CASE WHEN v IS NULL THEN NULL ELSE txid_current() END
    FROM touched WHERE EXISTS (SELECT 1 FROM tracked) ORDER BY u
  ON CONFLICT ("abTestId", "unitId") DO UPDATE
    SET "variantId" = COALESCE(a."variantId", excluded."variantId"),
        "step" = COALESCE(a."step", excluded."step"),
        "firstExposedAt" = COALESCE(a."firstExposedAt", excluded."firstExposedAt"),
        "covariateSource" = CASE WHEN a."variantId" IS NULL THEN excluded."covariateSource" ELSE a."covariateSource" END,
        "exposedIn" = CASE WHEN a."variantId" IS NULL AND excluded."variantId" IS NOT NULL THEN txid_current() ELSE a."exposedIn" END
  RETURNING "unitId", "variantId", "step", "firstExposedAt", "covariateSource",
            "exposedIn" IS NOT DISTINCT FROM txid_current() AS entered, xmax <> 0 AS placeholder
), history AS (
  SELECT up."unitId", o."metric", SUM(o."value")::float8 AS total
    FROM upserted up CROSS JOIN test
    JOIN "UnitOutcome" o ON o."endpoint" = test."endpoint" AND o."unitId" = up."unitId"
                        AND o."metric" IN (SELECT name FROM tracked)
                        AND o."occurredAt" >= up."firstExposedAt" - make_interval(secs => test."covariateLookbackMs" / 1000.0)
                        AND o."occurredAt" < up."firstExposedAt"
   WHERE up.entered AND up."variantId" IS NOT NULL AND up."covariateSource" = 'lookback' AND test."covariateLookbackMs" > 0
   GROUP BY up."unitId", o."metric"
)
SELECT
  (SELECT row_to_json(test) FROM test) AS test,
  (SELECT COALESCE(json_agg(k), '[]') FROM (SELECT k FROM input EXCEPT SELECT "idempotencyKey" FROM inserted) r) AS rejected,
  (SELECT COALESCE(json_agg(json_build_array("unitId", "variantId", "step", entered, placeholder)), '[]')
     FROM upserted WHERE NOT entered OR placeholder) AS known,
  (SELECT COALESCE(json_agg(json_build_array("unitId", "metric", total)), '[]') FROM history) AS history`;

interface IntakeResult {
  test: TestRow | null;
  rejected: string[];
  /** [unitId, variantId, step, entered now, was a placeholder] */
  known: [string, string | null, number | null, boolean, boolean][];
  /** [unitId, metric, its outcomes' sum in the lookback window] */
  history: [string, string, number][];
}

async function recordInTransaction(q: Query, abTestId: string, events: NewAbEvent[]): Promise<number> {
  const [result] = await q<IntakeResult>(
    INTAKE_SQL,
    abTestId,
    JSON.stringify(
      events.map((e, i) => ({
        v: e.variantId,
        t: e.type,
        u: e.unitId,
        m: e.type === 'outcome' ? (e.metric ?? '') : '',
        val: e.type === 'outcome' ? (e.value ?? 1) : 0,
        k: e.idempotencyKey,
        o: e.occurredAt,
        s: e.step,
        c: e.covariates !== undefined,
        i,
      })),
    ),
  );
  const { test, rejected, known, history } = result!;
  if (!test) throw new NotFoundError('A/B test', abTestId);
  const stored = new Set(rejected);
  // A key repeated inside one batch is inserted once: keep its first event.
  const seen = new Set<string>();
  const newEvents = events.filter(
    (e) => !stored.has(e.idempotencyKey) && !seen.has(e.idempotencyKey) && seen.add(e.idempotencyKey),
  );
  const tracked = new Map(test.metrics.map((m) => [m.name, m]));
  if (newEvents.length === 0 || tracked.size === 0) return newEvents.length;

  // 1. The units the statement locked, as SQL chose them: the first new exposure of each unit,
  //    and the units of new tracked outcomes.
  const firstExposures = new Map<string, NewAbEvent>();
  for (const e of newEvents) {
    if (e.type !== 'exposure') continue;
    const current = firstExposures.get(e.unitId);
    if (!current || e.occurredAt < current.occurredAt) firstExposures.set(e.unitId, e);
  }
  const outcomes = newEvents.filter((e) => e.type === 'outcome' && tracked.has(e.metric ?? ''));
  const touched = new Set([...firstExposures.keys(), ...outcomes.map((e) => e.unitId)]);
  const knownById = new Map(known.map((u) => [u[0], u]));
  const entered: {
    unitId: string;
    variantId: string;
    step: number;
    wasPlaceholder: boolean;
  }[] = [];
  const exposed = new Map<string, { variantId: string; step: number }>();
  for (const unitId of touched) {
    const row = knownById.get(unitId);
    const exposure = firstExposures.get(unitId);
    if (exposure && (!row || row[3])) {
      entered.push({
        unitId,
        variantId: exposure.variantId,
        step: exposure.step,
        wasPlaceholder: row?.[4] ?? false,
      });
      exposed.set(unitId, { variantId: exposure.variantId, step: exposure.step });
    } else if (row?.[1] != null && row[2] != null) {
      exposed.set(unitId, { variantId: row[1], step: row[2] });
    }
  }
  const enteredIds = new Set(entered.map((u) => u.unitId));

  // 2. Covariates of the units that entered: sent by the client, or their history (above).
  const preValues = new Map<string, number>(); // unit \0 metric → value
  for (const u of entered) {
    const sent = firstExposures.get(u.unitId)!.covariates;
    if (sent)
      for (const [metric, value] of Object.entries(sent))
        if (tracked.has(metric)) preValues.set(`${u.unitId}\u0000${metric}`, value);
  }
  for (const [unitId, metric, total] of history) preValues.set(`${unitId}\u0000${metric}`, total);

  // 3. The unit-metric rows that change: outcomes add their values; an entering unit gets its
  //    covariate; a placeholder that entered is read whole (its earlier outcomes now count).
  //    A unit with neither outcome nor covariate has no row: its value is 0.
  const rows = new Map<string, { unitId: string; metric: string; delta: number; pre: number }>();
  const row = (unitId: string, metric: string) => {
    const k = `${unitId}\u0000${metric}`;
    let r = rows.get(k);
    if (!r) {
      r = { unitId, metric, delta: 0, pre: enteredIds.has(unitId) ? (preValues.get(k) ?? 0) : 0 };
      rows.set(k, r);
    }
    return r;
  };
  for (const u of entered) {
    for (const metric of tracked.keys())
      if (u.wasPlaceholder || preValues.has(`${u.unitId}\u0000${metric}`)) row(u.unitId, metric);
  }
  for (const e of outcomes) row(e.unitId, e.metric!).delta += e.value ?? 1;
  const ordered = [...rows.values()].sort((a, b) =>
    a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : a.metric < b.metric ? -1 : 1,
  );
  const updated =
    ordered.length === 0
      ? []
      : await q<{ unitId: string; metric: string; value: number; preValue: number }>(
          `INSERT INTO "AbUnitMetric" AS m ("abTestId", "unitId", "metric", "value", "preValue")
           SELECT $1, u, k, d, p FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[]) WITH ORDINALITY AS x(u, k, d, p, i) ORDER BY i
           ON CONFLICT ("abTestId", "unitId", "metric") DO UPDATE
             SET "value" = m."value" + excluded."value",
                 -- only an entering unit's row carries a covariate (rows of outcomes carry 0 and keep theirs)
                 "preValue" = CASE WHEN excluded."preValue" <> 0 THEN excluded."preValue" ELSE m."preValue" END
           RETURNING "unitId", "metric", "value", "preValue"`,
          abTestId,
          ordered.map((r) => r.unitId),
          ordered.map((r) => r.metric),
          ordered.map((r) => r.delta),
          ordered.map((r) => r.pre),
        );
  const current = new Map(updated.map((u) => [`${u.unitId}\u0000${u.metric}`, u]));

  // 4. The sums, per (variant, step, metric): an entering unit adds itself whole; an exposed
  //    unit's outcome moves the sums by f(new) − f(old).
  const deltas = new Map<
    string,
    {
      variantId: string;
      step: number;
      metric: string;
      units: number;
      sum: number;
      sumSquares: number;
      covariateSum: number;
      covariateSumSquares: number;
      crossSum: number;
    }
  >();
  const deltaOf = (variantId: string, step: number, metric: string) => {
    const k = statKey(variantId, step, metric);
    let d = deltas.get(k);
    if (!d) {
      d = {
        variantId,
        step,
        metric,
        units: 0,
        sum: 0,
        sumSquares: 0,
        covariateSum: 0,
        covariateSumSquares: 0,
        crossSum: 0,
      };
      deltas.set(k, d);
    }
    return d;
  };
  const transform = (kind: MetricKind) =>
    kind === 'proportion' ? (v: number) => (v > 0 ? 1 : 0) : (v: number) => v;
  for (const u of entered) {
    for (const metric of tracked.values()) {
      const f = transform(metric.kind);
      const stored = current.get(`${u.unitId}\u0000${metric.name}`);
      const y = f(stored?.value ?? 0);
      const x = f(stored?.preValue ?? 0);
      const d = deltaOf(u.variantId, u.step, metric.name);
      d.units += 1;
      d.sum += y;
      d.sumSquares += y * y;
      d.covariateSum += x;
      d.covariateSumSquares += x * x;
      d.crossSum += x * y;
    }
  }
  for (const r of ordered) {
    if (enteredIds.has(r.unitId) || r.delta === 0) continue;
    const unit = exposed.get(r.unitId);
    const stored = current.get(`${r.unitId}\u0000${r.metric}`);
    if (!unit || !stored) continue; // not exposed yet: it counts when it enters
    const f = transform(tracked.get(r.metric)!.kind);
    const y = f(stored.value);
    const before = f(stored.value - r.delta);
    const x = f(stored.preValue);
    const d = deltaOf(unit.variantId, unit.step, r.metric);
    d.sum += y - before;
    d.sumSquares += y * y - before * before;
    d.crossSum += x * (y - before);
  }
  const stats = [...deltas.values()].sort((a, b) =>
    a.variantId < b.variantId
      ? -1
      : a.variantId > b.variantId
        ? 1
        : a.step - b.step || (a.metric < b.metric ? -1 : 1),
  );
  if (stats.length > 0) {
    await q(
      `INSERT INTO "AbStat" AS s ("abTestId", "variantId", "step", "metric", "units", "sum", "sumSquares", "covariateSum", "covariateSumSquares", "crossSum")
       SELECT $1, v, st, m, n, y, yy, x, xx, xy
         FROM unnest($2::text[], $3::int[], $4::text[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[]) WITH ORDINALITY AS t(v, st, m, n, y, yy, x, xx, xy, i) ORDER BY i
       ON CONFLICT ("abTestId", "variantId", "step", "metric") DO UPDATE
         SET "units" = s."units" + excluded."units", "sum" = s."sum" + excluded."sum", "sumSquares" = s."sumSquares" + excluded."sumSquares",
             "covariateSum" = s."covariateSum" + excluded."covariateSum", "covariateSumSquares" = s."covariateSumSquares" + excluded."covariateSumSquares",
             "crossSum" = s."crossSum" + excluded."crossSum"`,
      abTestId,
      stats.map((s) => s.variantId),
      stats.map((s) => s.step),
      stats.map((s) => s.metric),
      stats.map((s) => s.units),
      stats.map((s) => s.sum),
      stats.map((s) => s.sumSquares),
      stats.map((s) => s.covariateSum),
      stats.map((s) => s.covariateSumSquares),
      stats.map((s) => s.crossSum),
    );
  }
  return newEvents.length;
}

/** The gateway's request counts of an arm at a step, to add to its totals. */
export type RequestStatDelta = StoredStatistics['requests'][number];

/** Adds the gateway's request counts per arm and step (the error-rate and latency guardrails). */
export async function recordRequestStats(
  db: Db,
  abTestId: string,
  deltas: RequestStatDelta[],
): Promise<void> {
  if (deltas.length === 0) return;
  const ordered = [...deltas].sort((a, b) =>
    a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : a.step - b.step,
  );
  // One statement per row: Postgres has no array-of-arrays unnest, and a flush holds a few rows.
  await withDeadlockRetry(() =>
    inTransaction(db, async (tx) => {
      for (const d of ordered) {
        await tx.$executeRawUnsafe(
          `INSERT INTO "AbRequestStat" AS r ("abTestId", "variantId", "step", "requests", "errors", "slow", "latencySumMs", "latencyHistogram")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::int[])
           ON CONFLICT ("abTestId", "variantId", "step") DO UPDATE
             SET "requests" = r."requests" + excluded."requests", "errors" = r."errors" + excluded."errors", "slow" = r."slow" + excluded."slow",
                 "latencySumMs" = r."latencySumMs" + excluded."latencySumMs",
                 "latencyHistogram" = ARRAY(SELECT COALESCE(a, 0) + COALESCE(b, 0) FROM unnest(r."latencyHistogram", excluded."latencyHistogram") WITH ORDINALITY AS h(a, b, i) ORDER BY i)`,
          abTestId,
          d.variantId,
          d.step,
          d.requests,
          d.errors,
          d.slow,
          d.latencySumMs,
          d.latencyHistogram,
        );
      }
    }),
  );
}

export interface NewUnitOutcome {
  endpoint: string;
  unitId: string;
  metric: string;
  value: number;
  idempotencyKey: string;
  occurredAt: Date;
}

/** Outcomes at an endpoint, in or out of a test: the history CUPED reads covariates from. Idempotent by key. */
export async function recordUnitOutcomes(db: Db, outcomes: NewUnitOutcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  return db.$executeRawUnsafe(
    `INSERT INTO "UnitOutcome" ("endpoint", "unitId", "metric", "value", "idempotencyKey", "occurredAt")
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::timestamptz[])
     ON CONFLICT ("idempotencyKey") DO NOTHING`,
    outcomes.map((o) => o.endpoint),
    outcomes.map((o) => o.unitId),
    outcomes.map((o) => o.metric),
    outcomes.map((o) => o.value),
    outcomes.map((o) => o.idempotencyKey),
    outcomes.map((o) => o.occurredAt),
  );
}

/** The kept sufficient statistics of a test: what the analysis reads (a few rows, however many events). */
export async function abTestStatistics(db: Db, abTestId: string): Promise<StoredStatistics> {
  const [metrics, requests] = await Promise.all([
    db.abStat.findMany({
      where: { abTestId },
      orderBy: [{ variantId: 'asc' }, { step: 'asc' }, { metric: 'asc' }],
    }),
    db.abRequestStat.findMany({ where: { abTestId }, orderBy: [{ variantId: 'asc' }, { step: 'asc' }] }),
  ]);
  return {
    metrics: metrics.map(({ abTestId: _, ...m }) => m),
    requests: requests.map(({ abTestId: _, ...r }) => r),
  };
}

/** A deadlock (40P01) aborts one of two batches; writing it again is safe (everything is keyed). */
async function withDeadlockRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isDeadlock(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}

function isDeadlock(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''} ${JSON.stringify((error as { meta?: unknown })?.meta ?? '')}`;
  return /40P01|deadlock detected/.test(text);
}
