/**
 * Runs and their stages. Every status change is a conditional update (`WHERE status IN
 * (legal sources)`), so two workers racing cannot move a run backwards, and an illegal
 * transition is refused with a typed error instead of silently applied.
 */
import { randomInt } from 'node:crypto';
import { NotFoundError } from '@lathe/core';
import type { Run, RunStatus, RunTrigger, Stage, StageExecution } from '../generated/prisma/client.ts';
import { type Db, type Json, isUniqueViolation } from './db.ts';
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

/** Creates a queued run with one pending row per stage. Same idempotency key ⇒ same run. */
export async function createRun(db: Db, input: NewRun): Promise<{ run: Run; created: boolean }> {
  if (input.idempotencyKey) {
    const existing = await db.run.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
    if (existing) return { run: existing, created: false };
  }
  try {
    const run = await db.run.create({
      data: {
        experimentId: input.experimentId,
        trigger: input.trigger ?? 'manual',
        seed: input.seed ?? randomInt(0, 2 ** 31 - 1),
        params: input.params ?? {},
        idempotencyKey: input.idempotencyKey ?? null,
        scheduleId: input.scheduleId ?? null,
        codeVersion: input.codeVersion ?? null,
        stages: { create: STAGES.map((stage) => ({ stage })) },
      },
    });
    return { run, created: true };
  } catch (error) {
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const run = await db.run.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
      return { run, created: false };
    }
    throw error;
  }
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
export async function transitionRun(db: Db, runId: string, to: RunStatus, patch: TransitionPatch = {}): Promise<Run> {
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

/**
 * Marks a stage as started (another attempt when it ran before) and the run as running in
 * that stage. Returns the stage row; when it already succeeded (a redelivered job), its
 * recorded output is there and the caller returns it instead of doing the work again.
 */
export async function beginStage(db: Db, runId: string, stage: Stage): Promise<StageExecution> {
  const existing = await db.stageExecution.findUnique({ where: { runId_stage: { runId, stage } } });
  if (!existing) throw new NotFoundError('stage', `${runId}/${stage}`);
  if (existing.status === 'succeeded' || existing.status === 'skipped') return existing;
  const run = await getRun(db, runId);
  if (run.status === 'queued') await transitionRun(db, runId, 'running', { stage });
  else if (run.status === 'running') await db.run.update({ where: { id: runId }, data: { stage } });
  else throw new IllegalTransitionError(runId, run.status, 'running');
  return db.stageExecution.update({
    where: { id: existing.id },
    data: {
      status: 'running',
      attempts: { increment: 1 },
      startedAt: existing.startedAt ?? new Date(),
      errorCode: null,
      errorMessage: null,
    },
  });
}

export async function completeStage(
  db: Db,
  runId: string,
  stage: Stage,
  result: { output: Json; cacheKey?: string; cacheHit?: boolean; cachedFromRunId?: string; status?: 'succeeded' | 'skipped' },
): Promise<StageExecution> {
  const stageIndex = STAGES.indexOf(stage);
  await db.run.updateMany({
    where: { id: runId, status: 'running' },
    data: { progress: (stageIndex + 1) / STAGES.length },
  });
  return db.stageExecution.update({
    where: { runId_stage: { runId, stage } },
    data: {
      status: result.status ?? 'succeeded',
      output: result.output,
      progress: 1,
      cacheKey: result.cacheKey ?? null,
      cacheHit: result.cacheHit ?? false,
      cachedFromRunId: result.cachedFromRunId ?? null,
      finishedAt: new Date(),
    },
  });
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

/** Progress of the active stage (0..1) folded into the run's overall progress. */
export async function reportStageProgress(db: Db, runId: string, stage: Stage, progress: number): Promise<void> {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(progress) ? progress : 0));
  await db.stageExecution.update({ where: { runId_stage: { runId, stage } }, data: { progress: clamped } });
  await db.run.updateMany({
    where: { id: runId, status: 'running' },
    data: { progress: (STAGES.indexOf(stage) + clamped) / STAGES.length },
  });
}

/**
 * Asks a run to stop. A queued run is cancelled at once; a running one records the request
 * and its active stage stops at the next batch/epoch boundary (see `isCancelRequested`).
 */
export async function requestCancel(db: Db, runId: string): Promise<Run> {
  const run = await getRun(db, runId);
  if ((TERMINAL_RUN_STATUSES as RunStatus[]).includes(run.status)) {
    throw new IllegalTransitionError(runId, run.status, 'cancelled');
  }
  await db.run.update({ where: { id: runId }, data: { cancelRequestedAt: run.cancelRequestedAt ?? new Date() } });
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
  const run = await db.run.findUnique({ where: { id: runId }, select: { cancelRequestedAt: true, status: true } });
  return run === null || run.cancelRequestedAt !== null || run.status === 'cancelled';
}

/**
 * A failed run back to queued, keeping the stages that succeeded: the pipeline resumes from
 * the failed stage. Returns that stage.
 */
export async function prepareRetry(db: Db, runId: string): Promise<{ run: Run; fromStage: Stage }> {
  const run = await getRunWithStages(db, runId);
  const fromStage =
    run.stages.find((s) => s.status !== 'succeeded' && s.status !== 'skipped')?.stage ?? run.errorStage ?? 'ingest';
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
