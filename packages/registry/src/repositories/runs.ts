/**
 * Runs and their stages. Every status change is a conditional update (`WHERE status IN
 * (legal sources)`), so two workers racing cannot move a run backwards, and an illegal
 * transition is refused with a typed error instead of silently applied.
 *
 * The hot path of a pipeline (create a run, begin and finish each stage) is one SQL statement
 * per step: data-modifying CTEs (`WITH … UPDATE … RETURNING`) instead of read-then-write, so a
 * stage costs two round trips instead of a dozen. `claimStages` and `finishStages` take many
 * stages at once so a worker can group the statements of its concurrent jobs (group commit).
 * Raw SQL must set `updatedAt` itself (Prisma's `@updatedAt` is applied by the client).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '@lathe/core';
import {
  Prisma,
  type Run,
  type RunStatus,
  type RunTrigger,
  type Stage,
  type StageExecution,
  type StageStatus,
} from '../generated/prisma/client.ts';
import { hotQuery, type Db, type Json } from './db.ts';
import { preparedStatement } from '../prepared-statements.ts';
import { IllegalTransitionError, TERMINAL_RUN_STATUSES, sourcesOf } from './run-transitions.ts';

export const STAGES: readonly Stage[] = ['ingest', 'train', 'evaluate', 'deploy'];

export interface NewRun {
  experimentId: string;
  trigger?: RunTrigger;
  seed?: number;
  params?: Json;
  idempotencyKey?: string;
  scheduleId?: string;
  codeVersion?: string;
}

export interface CreateRunOptions {
  /** Refuse (typed errors) when the experiment is missing or archived, in the same statement. */
  requireActiveExperiment?: boolean;
}

/**
 * The hot-path statements are constant SQL text with positional parameters, registered as
 * prepared statements and sent with `hotQuery` (straight on the registry's pg pool, see db.ts):
 * nothing is ever spliced into the text, and Postgres parses and plans each once per connection.
 * Statements return as few columns as the caller needs.
 */
const insertRunsSql = (activeExperimentOnly: boolean) => `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[])
      AS i("id", "experimentId", "trigger", "seed", "params", "idempotencyKey", "scheduleId", "codeVersion")
  ), run AS (
    INSERT INTO "Run" ("id", "experimentId", "trigger", "seed", "params", "idempotencyKey", "scheduleId", "codeVersion", "queuedAt", "updatedAt")
    SELECT i."id", e."id", i."trigger"::"RunTrigger", i."seed", i."params"::jsonb, i."idempotencyKey", i."scheduleId", i."codeVersion", $9::timestamptz, $9::timestamptz
    FROM input i JOIN "Experiment" e ON e."id" = i."experimentId" ${activeExperimentOnly ? 'AND e."archivedAt" IS NULL' : ''}
    ON CONFLICT ("idempotencyKey") DO NOTHING
    RETURNING "id"
  ), stages AS (
    INSERT INTO "StageExecution" ("id", "runId", "stage", "updatedAt")
    SELECT gen_random_uuid()::text, run."id", s.stage::"Stage", $9::timestamptz
    FROM run CROSS JOIN unnest($10::text[]) AS s(stage)
  )
  SELECT "id" FROM run`;
const INSERT_RUNS = preparedStatement('insert_runs', insertRunsSql(false));
const INSERT_RUNS_ACTIVE_EXPERIMENT = preparedStatement('insert_runs_active_experiment', insertRunsSql(true));

/** A run as `createRuns` made (or found) it, or why it could not. */
export type CreateRunResult = { run: Run; created: boolean } | Error;

function newRunRow(input: NewRun, now: Date): Run {
  return {
    id: randomUUID(),
    experimentId: input.experimentId,
    scheduleId: input.scheduleId ?? null,
    status: 'queued',
    stage: null,
    progress: 0,
    trigger: input.trigger ?? 'manual',
    seed: input.seed ?? randomInt(0, 2 ** 31 - 1),
    // As stored: what JSON keeps of the value.
    params: JSON.parse(JSON.stringify(input.params ?? {})) as Run['params'],
    idempotencyKey: input.idempotencyKey ?? null,
    backend: null,
    backendInfo: null,
    codeVersion: input.codeVersion ?? null,
    lockfileSha256: null,
    trainingOutcome: null,
    sweepId: null,
    datasetVersionId: null,
    errorCode: null,
    errorMessage: null,
    errorStage: null,
    cancelRequestedAt: null,
    queuedAt: now,
    startedAt: null,
    finishedAt: null,
    updatedAt: now,
  };
}

/**
 * Creates queued runs, each with one pending row per stage, in one statement however many
 * (so concurrent starts can share it: group commit). Same idempotency key ⇒ same run (`ON
 * CONFLICT DO NOTHING` waits for a concurrent insert of the key, then yields). The returned
 * rows are built here from what was inserted (every column is known), so the statement returns
 * only the ids it inserted. A run that was not created gets its reason (missing or archived
 * experiment) or the existing run of its key, in its own slot: one bad input never fails, or
 * repeats, the others.
 */
export async function createRuns(
  db: Db,
  inputs: readonly NewRun[],
  options: CreateRunOptions = {},
): Promise<CreateRunResult[]> {
  if (inputs.length === 0) return [];
  const now = new Date();
  const runs = inputs.map((input) => newRunRow(input, now));
  const { rows: inserted } = await hotQuery<{ id: string }>(
    db,
    options.requireActiveExperiment ? INSERT_RUNS_ACTIVE_EXPERIMENT : INSERT_RUNS,
    [
      runs.map((r) => r.id),
      runs.map((r) => r.experimentId),
      runs.map((r) => r.trigger),
      runs.map((r) => r.seed),
      runs.map((r) => JSON.stringify(r.params)),
      runs.map((r) => r.idempotencyKey),
      runs.map((r) => r.scheduleId),
      runs.map((r) => r.codeVersion),
      now,
      [...STAGES],
    ],
  );
  const created = new Set(inserted.map((r) => r.id));
  return Promise.all(
    runs.map(async (run, i) =>
      created.has(run.id)
        ? { run, created: true }
        : whyNotCreated(db, inputs[i]!, options).catch((error: Error) => error),
    ),
  );
}

export async function createRun(
  db: Db,
  input: NewRun,
  options: CreateRunOptions = {},
): Promise<{ run: Run; created: boolean }> {
  const [result] = await createRuns(db, [input], options);
  if (result instanceof Error) throw result;
  return result!;
}

/** Nothing inserted: the experiment is missing/archived, or the key names an existing run. */
async function whyNotCreated(
  db: Db,
  input: NewRun,
  options: CreateRunOptions,
): Promise<{ run: Run; created: false }> {
  const experiment = await db.experiment.findUnique({
    where: { id: input.experimentId },
    select: { name: true, archivedAt: true },
  });
  if (!experiment) throw new NotFoundError('experiment', input.experimentId);
  if (options.requireActiveExperiment && experiment.archivedAt) {
    throw new ConflictError(
      'experiment_archived',
      `experiment ${experiment.name} is archived; restore it before starting a run`,
    );
  }
  if (input.idempotencyKey) {
    const existing = await db.run.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
    if (existing) return { run: existing, created: false };
  }
  throw new ConflictError(
    'run_not_created',
    `run for experiment ${input.experimentId} was not created; try again`,
  );
}

export async function getRun(db: Db, id: string): Promise<Run> {
  const run = await db.run.findUnique({ where: { id } });
  if (!run) throw new NotFoundError('run', id);
  return run;
}

export async function getRunWithStages(db: Db, id: string): Promise<Run & { stages: StageExecution[] }> {
  const run = await db.run.findUnique({ where: { id }, include: { stages: true } });
  if (!run) throw new NotFoundError('run', id);
  run.stages.sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
  return run;
}

export interface TransitionPatch {
  stage?: Stage | null;
  progress?: number;
  errorCode?: string | null;
  errorMessage?: string | null;
  errorStage?: Stage | null;
  backend?: string;
  backendInfo?: Json;
  datasetVersionId?: string;
}

/** Moves a run to `to` if that is legal from its current status; otherwise throws. */
export async function transitionRun(
  db: Db,
  runId: string,
  to: RunStatus,
  patch: TransitionPatch = {},
): Promise<Run> {
  const now = new Date();
  const data: Record<string, unknown> = { ...patch, status: to };
  if (to === 'running') data.startedAt = now;
  if ((TERMINAL_RUN_STATUSES as RunStatus[]).includes(to)) data.finishedAt = now;
  if (to === 'succeeded') data.progress = 1;
  if (to === 'queued') {
    data.finishedAt = null;
    data.errorCode = null;
    data.errorMessage = null;
    data.errorStage = null;
  }
  const { count } = await db.run.updateMany({ where: { id: runId, status: { in: sourcesOf(to) } }, data });
  if (count === 1) return getRun(db, runId);
  const current = await getRun(db, runId);
  throw new IllegalTransitionError(runId, current.status, to);
}

/** The Run row's columns, listed (not `*`) so a prepared statement's result type is fixed. */
const RUN_COLUMN_NAMES = Object.values(Prisma.RunScalarFieldEnum);
const RUN_COLUMNS = (alias: string) => RUN_COLUMN_NAMES.map((c) => `${alias}."${c}"`).join(', ');

/** A run entering a stage: queued → running (the run starts), running stays running. */
const RUN_BEGIN_SET = `"status" = 'running',
  "startedAt" = CASE WHEN r."status" = 'queued' THEN now() ELSE r."startedAt" END, "updatedAt" = now()`;
/** Another attempt of a stage; `startedAt` keeps the first attempt's time. */
const STAGE_BEGIN_SET = `"status" = 'running', "attempts" = s."attempts" + 1,
  "startedAt" = COALESCE(s."startedAt", now()), "errorCode" = NULL, "errorMessage" = NULL, "updatedAt" = now()`;

/*
 * Row lookups in the hot statements are written so that only one index can serve them: a
 * stage row by its run (the `(runId, stage)` key; `stage` is compared as text so the cache
 * index on `(stage, cacheKey)` cannot be picked), an active run by its id (`status`
 * as text, so not `Run_status_idx`). A prepared statement keeps the plan it was given on its
 * first calls, maybe while the tables were nearly empty and any index looked as good as another
 * (see client.ts): such a plan must not turn into a walk over every stage of a kind, or every
 * active run, once the tables have grown.
 */
const STAGE_ROW = (row: string, input: string) =>
  `${row}."runId" = ${input}."runId" AND ${row}."stage"::text = ${input}.stage::text`;
const ACTIVE_RUN = (run: string) => `${run}."status"::text IN ('queued', 'running')`;

const CLAIM_STAGES = preparedStatement(
  'claim_stages',
  `
    WITH input AS (
      SELECT i."runId", i.stage::"Stage" AS stage, i.n
      FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i("runId", stage, n)
    ), target AS (
      -- Each input looks up its run and stage by key (LATERAL … LIMIT 1 cannot be flattened):
      -- as a plain join, a planner without fresh statistics (a new or fast-growing table)
      -- scanned every queued/running run for each claim, slower the larger the backlog.
      SELECT i."runId", i.stage FROM input i
      CROSS JOIN LATERAL (
        SELECT 1 FROM "Run" r WHERE r."id" = i."runId" AND ${ACTIVE_RUN('r')} AND r."cancelRequestedAt" IS NULL LIMIT 1
      ) AS run_ok
      CROSS JOIN LATERAL (
        SELECT 1 FROM "StageExecution" s WHERE ${STAGE_ROW('s', 'i')} AND s."status" NOT IN ('succeeded', 'skipped') LIMIT 1
      ) AS stage_ok
    ), run_upd AS (
      -- The status test is re-checked on the latest row version under a concurrent update.
      UPDATE "Run" r SET ${RUN_BEGIN_SET}, "stage" = t.stage
      FROM target t WHERE r."id" = t."runId" AND ${ACTIVE_RUN('r')} AND r."cancelRequestedAt" IS NULL
      RETURNING ${RUN_COLUMNS('r')}
    ), stage_upd AS (
      UPDATE "StageExecution" s SET ${STAGE_BEGIN_SET}
      FROM run_upd ru JOIN target t ON t."runId" = ru."id"
      WHERE ${STAGE_ROW('s', 't')} AND s."status" NOT IN ('succeeded', 'skipped')
      RETURNING s."runId", s."stage", s."status", s."attempts"
    )
    SELECT ${RUN_COLUMNS('r')},
      (su."runId" IS NOT NULL) AS "claimClaimed",
      COALESCE(su."status", s."status") AS "claimStageStatus",
      COALESCE(su."attempts", s."attempts") AS "claimStageAttempts",
      (SELECT jsonb_object_agg(d."stage", d."output") FROM "StageExecution" d
        WHERE d."runId" = i."runId" AND d."status" IN ('succeeded', 'skipped')) AS "claimDoneOutputs",
      e."revision" AS "claimExperimentRevision", e."updatedAt" AS "claimExperimentUpdatedAt",
      i.n AS "claimOrdinal"
    FROM input i
    JOIN LATERAL (
      SELECT * FROM run_upd WHERE run_upd."id" = i."runId"
      UNION ALL
      SELECT ${RUN_COLUMNS('x')} FROM "Run" x WHERE x."id" = i."runId" AND NOT EXISTS (SELECT 1 FROM run_upd WHERE run_upd."id" = i."runId")
    ) r ON true
    JOIN "Experiment" e ON e."id" = r."experimentId"
    LEFT JOIN "StageExecution" s ON ${STAGE_ROW('s', 'i')}
    LEFT JOIN stage_upd su ON su."runId" = i."runId" AND su."stage" = i.stage`,
);

export interface StageClaim {
  /** The run after the claim (status `running`, `stage` set when claimed). */
  run: Run;
  /** True when this call moved the stage to running; false: see `run` and `stageStatus`. */
  claimed: boolean;
  /** The stage's status after the claim; null when the run has no such stage row. */
  stageStatus: StageStatus | null;
  stageAttempts: number;
  /** Outputs of the run's stages that had succeeded (or were skipped) when the claim was made. */
  doneOutputs: Partial<Record<Stage, Json | null>>;
  /** The experiment's version, for callers that cache experiment rows. */
  experimentRevision: number;
  experimentUpdatedAt: Date;
}

/**
 * Begins many stages at once, one statement, and returns for each what a stage worker needs:
 * the run row, whether the stage was claimed, the outputs of the stages already done and the
 * experiment's version. A stage is claimed only when its run is queued or running with no
 * cancel requested and the stage has not succeeded; otherwise nothing is written and the
 * caller decides from the returned rows (cancelled, already done…). Results are in input
 * order; `null` where the run does not exist. Claim one stage per run per call.
 */
export async function claimStages(
  db: Db,
  items: ReadonlyArray<{ runId: string; stage: Stage }>,
): Promise<Array<StageClaim | null>> {
  if (items.length === 0) return [];
  type Row = Run & {
    claimClaimed: boolean;
    claimStageStatus: StageStatus | null;
    claimStageAttempts: number | null;
    claimDoneOutputs: Partial<Record<Stage, Json | null>> | null;
    claimExperimentRevision: number;
    claimExperimentUpdatedAt: Date;
    claimOrdinal: bigint | number;
  };
  const { rows } = await hotQuery<Row>(db, CLAIM_STAGES, [
    items.map((i) => i.runId),
    items.map((i) => i.stage),
  ]);
  const claims: Array<StageClaim | null> = items.map(() => null);
  for (const row of rows) {
    const {
      claimClaimed,
      claimStageStatus,
      claimStageAttempts,
      claimDoneOutputs,
      claimExperimentRevision,
      claimExperimentUpdatedAt,
      claimOrdinal,
      ...run
    } = row;
    claims[Number(claimOrdinal) - 1] = {
      run,
      claimed: claimClaimed,
      stageStatus: claimStageStatus,
      stageAttempts: claimStageAttempts ?? 0,
      doneOutputs: claimDoneOutputs ?? {},
      experimentRevision: claimExperimentRevision,
      experimentUpdatedAt: claimExperimentUpdatedAt,
    };
  }
  return claims;
}

const FINISH_STAGES = preparedStatement(
  'finish_stages',
  `
    WITH input AS (
      SELECT i."runId", i.stage::"Stage" AS stage, i.output::jsonb AS output, i.status::"StageStatus" AS status,
             i."cacheKey", i."cacheHit", i."cachedFromRunId", i."datasetVersionId", i.progress, i.last
      FROM unnest(
        $1::text[], $2::text[], $3::text[],
        $4::text[], $5::text[],
        $6::boolean[], $7::text[],
        $8::text[], $9::float8[],
        $10::boolean[]
      ) AS i("runId", stage, output, status, "cacheKey", "cacheHit", "cachedFromRunId", "datasetVersionId", progress, last)
    ), stage_upd AS (
      UPDATE "StageExecution" s SET "status" = i.status, "output" = i.output, "progress" = 1, "cacheKey" = i."cacheKey",
        "cacheHit" = i."cacheHit", "cachedFromRunId" = i."cachedFromRunId", "finishedAt" = now(), "updatedAt" = now()
      FROM input i WHERE ${STAGE_ROW('s', 'i')}
      RETURNING s."runId", s."stage"
    ), run_upd AS (
      UPDATE "Run" r SET
        "datasetVersionId" = COALESCE(i."datasetVersionId", r."datasetVersionId"),
        "progress" = CASE WHEN r."status" = 'running' THEN (CASE WHEN i.last THEN 1 ELSE i.progress END) ELSE r."progress" END,
        "status" = CASE WHEN i.last AND r."status" = 'running' THEN 'succeeded'::"RunStatus" ELSE r."status" END,
        "stage" = CASE WHEN i.last AND r."status" = 'running' THEN i.stage ELSE r."stage" END,
        "finishedAt" = CASE WHEN i.last AND r."status" = 'running' THEN now() ELSE r."finishedAt" END,
        -- A cached train reuses another run's model: its outcome (kept epoch, overfitting,
        -- decision threshold) is that run's, which the train handler recorded there.
        "trainingOutcome" = CASE WHEN i."cacheHit" AND i.stage = 'train'
          THEN (SELECT src."trainingOutcome" FROM "Run" src WHERE src."id" = i."cachedFromRunId")
          ELSE r."trainingOutcome" END,
        "updatedAt" = now()
      FROM input i WHERE r."id" = i."runId" AND EXISTS (SELECT 1 FROM stage_upd su WHERE su."runId" = i."runId" AND su."stage" = i.stage)
    )
    SELECT 1 FROM stage_upd`,
);

export interface StageFinish {
  runId: string;
  stage: Stage;
  output: Json;
  status?: 'succeeded' | 'skipped';
  cacheKey?: string;
  cacheHit?: boolean;
  cachedFromRunId?: string;
  /** Recorded on the run (the ingest stage's dataset version). */
  datasetVersionId?: string;
}

/**
 * Finishes many stages at once, one statement: each stage row gets its output, and its run
 * its progress (and `datasetVersionId` when given; a cached train, the training outcome of the
 * run it came from); after the last stage a running run becomes succeeded.
 * Throws `NotFoundError` naming the first stage row that does not exist.
 */
export async function finishStages(db: Db, items: readonly StageFinish[]): Promise<void> {
  if (items.length === 0) return;
  const last = STAGES[STAGES.length - 1]!;
  // The row count of the final SELECT is the number of stage rows updated.
  const { rowCount: updated } = await hotQuery(db, FINISH_STAGES, [
    items.map((i) => i.runId),
    items.map((i) => i.stage),
    items.map((i) => JSON.stringify(i.output)),
    items.map((i) => i.status ?? 'succeeded'),
    items.map((i) => i.cacheKey ?? null),
    items.map((i) => i.cacheHit ?? false),
    items.map((i) => i.cachedFromRunId ?? null),
    items.map((i) => i.datasetVersionId ?? null),
    items.map((i) => (STAGES.indexOf(i.stage) + 1) / STAGES.length),
    items.map((i) => i.stage === last),
  ]);
  if (updated === items.length) return;
  const existing = await db.stageExecution.findMany({
    where: { OR: items.map((i) => ({ runId: i.runId, stage: i.stage })) },
    select: { runId: true, stage: true },
  });
  const found = new Set(existing.map((r) => `${r.runId}/${r.stage}`));
  const missing = items.find((i) => !found.has(`${i.runId}/${i.stage}`));
  throw new NotFoundError(
    'stage',
    missing ? `${missing.runId}/${missing.stage}` : items.map((i) => `${i.runId}/${i.stage}`).join(', '),
  );
}

/**
 * Records a stage failure. `final` (attempts exhausted, or a permanent error) also fails the
 * run with the stage, code and message; otherwise the stage waits for its retry.
 */
export async function failStage(
  db: Db,
  runId: string,
  stage: Stage,
  error: { code: string; message: string; final: boolean },
): Promise<void> {
  await db.stageExecution.update({
    where: { runId_stage: { runId, stage } },
    data: { status: 'failed', errorCode: error.code, errorMessage: error.message, finishedAt: new Date() },
  });
  if (!error.final) return;
  const run = await getRun(db, runId);
  if (run.status === 'queued' || run.status === 'running') {
    await transitionRun(db, runId, 'failed', {
      errorCode: error.code,
      errorMessage: error.message,
      errorStage: stage,
    });
  }
}

/** The tensor backend a run trained on, shown with the run (its speed depends on it). */
/** What a run trains on: the backend (and whether it is deterministic) and the lockfile's sha256. */
export async function recordRunBackend(
  db: Db,
  runId: string,
  backend: { name: string; version: string; threads: number; deterministic: boolean; reason: string },
  lockfileSha256?: string,
): Promise<void> {
  await db.run.update({
    where: { id: runId },
    data: { backend: backend.name, backendInfo: backend, lockfileSha256: lockfileSha256 ?? null },
  });
}

/** The train stage's account of its result: kept epoch and why, overfitting flag, decision threshold. */
export async function recordTrainingOutcome(db: Db, runId: string, outcome: Json): Promise<void> {
  await db.run.update({ where: { id: runId }, data: { trainingOutcome: outcome } });
}

/** Progress of the active stage (0..1) folded into the run's overall progress: one statement. */
export async function reportStageProgress(
  db: Db,
  runId: string,
  stage: Stage,
  progress: number,
): Promise<void> {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(progress) ? progress : 0));
  const updated = await db.$executeRawUnsafe(
    REPORT_PROGRESS,
    runId,
    stage,
    clamped,
    (STAGES.indexOf(stage) + clamped) / STAGES.length,
  );
  if (updated === 0) throw new NotFoundError('stage', `${runId}/${stage}`);
}

const REPORT_PROGRESS = `
  WITH stage_upd AS (
    UPDATE "StageExecution" SET "progress" = $3::float8, "updatedAt" = now()
    WHERE "runId" = $1 AND "stage" = $2::"Stage"
    RETURNING "id"
  ), run_upd AS (
    UPDATE "Run" SET "progress" = $4::float8, "updatedAt" = now()
    WHERE "id" = $1 AND "status" = 'running' AND EXISTS (SELECT 1 FROM stage_upd)
  )
  SELECT 1 FROM stage_upd`;

/**
 * Asks a run to stop. A queued run is cancelled at once; a running one records the request
 * and its active stage stops at the next batch/epoch boundary (see `isCancelRequested`).
 */
export async function requestCancel(db: Db, runId: string): Promise<Run> {
  const run = await getRun(db, runId);
  if ((TERMINAL_RUN_STATUSES as RunStatus[]).includes(run.status)) {
    throw new IllegalTransitionError(runId, run.status, 'cancelled');
  }
  await db.run.update({
    where: { id: runId },
    data: { cancelRequestedAt: run.cancelRequestedAt ?? new Date() },
  });
  if (run.status === 'queued') return markCancelled(db, runId);
  return getRun(db, runId);
}

export async function markCancelled(db: Db, runId: string): Promise<Run> {
  await db.stageExecution.updateMany({
    where: { runId, status: { in: ['pending', 'running'] } },
    data: { status: 'cancelled', finishedAt: new Date() },
  });
  return transitionRun(db, runId, 'cancelled');
}

export async function isCancelRequested(db: Db, runId: string): Promise<boolean> {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: { cancelRequestedAt: true, status: true },
  });
  return run === null || run.cancelRequestedAt !== null || run.status === 'cancelled';
}

/**
 * A failed run back to queued, keeping the stages that succeeded: the pipeline resumes from
 * the failed stage. Returns that stage.
 */
export async function prepareRetry(db: Db, runId: string): Promise<{ run: Run; fromStage: Stage }> {
  const run = await getRunWithStages(db, runId);
  const fromStage =
    run.stages.find((s) => s.status !== 'succeeded' && s.status !== 'skipped')?.stage ??
    run.errorStage ??
    'ingest';
  const updated = await transitionRun(db, runId, 'queued', { stage: fromStage });
  await db.stageExecution.updateMany({
    where: { runId, status: { in: ['failed', 'cancelled', 'running'] } },
    data: { status: 'pending', errorCode: null, errorMessage: null, finishedAt: null },
  });
  return { run: updated, fromStage };
}

/** The latest successful execution of `stage` with the same inputs, for stage caching. */
export async function findCachedStage(
  db: Db,
  stage: Stage,
  cacheKey: string,
  excludeRunId?: string,
): Promise<StageExecution | null> {
  return db.stageExecution.findFirst({
    where: {
      stage,
      cacheKey,
      status: 'succeeded',
      ...(excludeRunId ? { runId: { not: excludeRunId } } : {}),
    },
    orderBy: { finishedAt: 'desc' },
  });
}

/** Runs that Postgres says are active: the reconciler compares them with Redis. */
export async function listActiveRuns(db: Db): Promise<Array<Run & { stages: StageExecution[] }>> {
  return db.run.findMany({ where: { status: { in: ['queued', 'running'] } }, include: { stages: true } });
}
