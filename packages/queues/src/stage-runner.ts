/**
 * The generic stage runner every stage worker uses:
 *   validate payload → claim (idempotency) → cache lookup → handler → finish,
 * or failStage (final when attempts are exhausted or the error is permanent).
 * While Postgres cannot be reached, nothing can be recorded and failing would only burn the
 * job's attempts: the job is parked instead (delayed, its attempt not counted) and tried again
 * with a growing delay until the registry answers, however long the outage.
 * A redelivered job (retry, stalled worker, re-enqueued after a Redis loss) finds its output
 * already recorded and returns it: nothing is done twice.
 *
 * Cost per job in the common case: two registry statements (claim, finish), each shared with
 * the process's other concurrent jobs (see stage-ledger.ts); the run row, the outputs of the
 * stages already done and the experiment's version come back with the claim.
 */
import type { Job } from 'bullmq';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { z } from 'zod';
import { LatheError, NotFoundError, describeError, withDeadline, type Logger } from '@lathe/core';
import {
  STAGES,
  failStage,
  findCachedStage,
  getRun,
  isCancelRequested,
  isRegistryUnavailable,
  markCancelled,
  reportStageProgress,
  transitionRun,
  type Experiment,
  type Json,
  type Registry,
  type Run,
  type Stage,
  type StageClaim,
} from '@lathe/registry';
import { jitteredBackoffMs } from './backoff.ts';
import { stageCacheKey } from './cache-key.ts';
import { STAGE_QUEUES, stagePayloadSchema, type JobSpec } from './catalog.ts';
import { LATHE_SPAN_ATTRIBUTES, traceJobAttempt } from './job-tracing.ts';
import { STAGE_DEFINITIONS, type CacheInputs, type StageDefinition } from './stage-definitions.ts';
import {
  StageStoppedError,
  type RunParams,
  type StageContext,
  type StageHandler,
  type StageOutput,
} from './stage-handler.ts';
import { AttemptAbort } from './attempt-abort.ts';
import { throttledStopCheck } from './cancel-poll.ts';
import type { CancelSignals } from './cancel-signals.ts';
import { createStageLedger, type StageLedger } from './stage-ledger.ts';
import { latestOnly } from './latest-only.ts';

export interface StageRunnerDeps<S extends Stage = Stage> {
  registry: Registry;
  logger: Logger;
  /** The stage's declaration (output schema, cache inputs, run fields): see stage-definitions.ts. */
  definition: StageDefinition<S>;
  handler: StageHandler<S>;
  spec: JobSpec;
  /** Code version folded into cache keys (the run's own `codeVersion` wins). */
  codeVersion: string;
  /** Replaces the definition's cache inputs (tests). */
  cacheInputs?: CacheInputs;
  /** Shared by the jobs of a worker group (grouped writes, caches); default: one per call. */
  ledger?: StageLedger;
  /** Cancel announcements (worker groups subscribe); without them every stop check asks the registry. */
  cancels?: CancelSignals;
}

/** With announced cancels, how often an attempt still asks the registry (a lost announcement). */
export const CANCEL_POLL_MS = 1_000;

/** Delays of a job parked while Postgres cannot be reached (jittered, see backoff.ts). */
export const REGISTRY_OUTAGE_BACKOFF = { baseMs: 500, capMs: 30_000 };

export interface StageJobResult {
  runId: string;
  stage: Stage;
  outcome: 'succeeded' | 'already_done' | 'cache_hit' | 'cancelled' | 'skipped';
}

function mergedHyperparameters(experiment: Experiment, params: RunParams): Record<string, unknown> {
  const base = (experiment.hyperparameters ?? {}) as Record<string, unknown>;
  return { ...base, ...(params.hyperparameters ?? {}) };
}

function invalidPayload(
  stage: Stage,
  data: unknown,
  issue: { path: PropertyKey[]; message: string },
): LatheError {
  return new LatheError(
    'invalid_payload',
    `${stage} job payload is invalid at "${issue.path.map(String).join('.') || '(root)'}": ${issue.message}; got ${JSON.stringify(data)}`,
    { permanent: true },
  );
}

/**
 * Why a claim did not take the stage, in the order the checks must apply: a cancelled or
 * cancel-requested run stops, a finished run has nothing left to do, a stage already recorded
 * returns its output.
 */
async function unclaimed(
  registry: Registry,
  claim: StageClaim,
  stage: Stage,
  logger: Logger,
): Promise<StageJobResult> {
  const { run } = claim;
  const runId = run.id;
  if (run.status === 'cancelled') return { runId, stage, outcome: 'cancelled' };
  if (run.cancelRequestedAt) {
    await markCancelled(registry, runId);
    return { runId, stage, outcome: 'cancelled' };
  }
  if (run.status === 'succeeded') return { runId, stage, outcome: 'already_done' };
  if (run.status === 'failed') {
    throw new UnrecoverableError(
      `run_failed: run ${runId} already failed (${run.errorCode ?? 'unknown'}); retry the run instead`,
    );
  }
  if (claim.stageStatus === null) throw new NotFoundError('stage', `${runId}/${stage}`);
  if (claim.stageStatus === 'succeeded' || claim.stageStatus === 'skipped') {
    logger.info('stage already recorded; returning its output');
    await finishRunIfLast(registry, runId, stage);
    return { runId, stage, outcome: 'already_done' };
  }
  // The run or stage changed between the claim's read and write (a concurrent writer): retry.
  throw new LatheError(
    'stage_claim_conflict',
    `${stage} of run ${runId} changed while being claimed (run ${run.status}, stage ${claim.stageStatus}); the job will retry`,
  );
}

/**
 * Runs one attempt of a stage job. `token` is the worker's lock token (BullMQ passes it to the
 * processor): with it, a job that meets a registry outage is parked instead of failed.
 */
export async function runStageJob<S extends Stage>(
  job: Job,
  stage: S,
  deps: StageRunnerDeps<S>,
  token?: string,
): Promise<StageJobResult> {
  const runId: unknown = job.data?.runId;
  // The attempt's consumer span, a child of the span that enqueued the job (job-tracing.ts).
  return traceJobAttempt(
    job,
    STAGE_QUEUES[stage],
    {
      [LATHE_SPAN_ATTRIBUTES.stage]: stage,
      ...(typeof runId === 'string' ? { [LATHE_SPAN_ATTRIBUTES.runId]: runId } : {}),
    },
    async () => {
      try {
        return await attemptStage(job, stage, deps);
      } catch (error) {
        if (token !== undefined && isRegistryUnavailable(error))
          await parkJob(job, token, deps.logger.child({ runId, stage, jobId: job.id }), error);
        throw error;
      }
    },
  );
}

/** Puts the job back as delayed, without spending an attempt; throws DelayedError when it did. */
async function parkJob(job: Job, token: string, logger: Logger, cause: unknown): Promise<void> {
  // attemptsStarted counts every start, parked ones included; attemptsMade only those that ended.
  const parkedBefore = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
  const delayMs = jitteredBackoffMs(
    parkedBefore + 1,
    REGISTRY_OUTAGE_BACKOFF.baseMs,
    REGISTRY_OUTAGE_BACKOFF.capMs,
  );
  try {
    await job.moveToDelayed(Date.now() + delayMs, token);
  } catch (error) {
    // Redis is away too: the job fails as usual (or stalls and comes back once its lock lapses).
    logger.warn({ err: error }, 'could not park the job during a registry outage');
    return;
  }
  logger.warn(
    { err: cause, delayMs, parkedBefore },
    'registry unreachable: job parked, its attempt not counted',
  );
  throw new DelayedError();
}

async function attemptStage<S extends Stage>(
  job: Job,
  stage: S,
  deps: StageRunnerDeps<S>,
): Promise<StageJobResult> {
  const { registry, definition } = deps;
  const ledger = deps.ledger ?? createStageLedger(registry, { maxBatch: 1 });
  const parsed = stagePayloadSchema.safeParse(job.data);
  if (!parsed.success) {
    const invalid = invalidPayload(stage, job.data, parsed.error.issues[0]!);
    // Record on the run when the payload names one; never retry a payload that cannot parse.
    const runId = typeof job.data?.runId === 'string' ? (job.data.runId as string) : null;
    const run = runId ? await registry.run.findUnique({ where: { id: runId } }).catch(() => null) : null;
    if (run) await failStage(registry, run.id, stage, { ...describeError(invalid), final: true });
    throw new UnrecoverableError(`${invalid.code}: ${invalid.message}`);
  }
  const { runId } = parsed.data;
  const logger = deps.logger.child({ runId, stage, jobId: job.id });

  const claim = await ledger.claim(runId, stage);
  if (!claim) throw new NotFoundError('run', runId);
  if (!claim.claimed) return unclaimed(registry, claim, stage, logger);

  const attempt = new AttemptAbort();
  const started = claim.run;
  const ctx = makeContext(
    job,
    stage,
    started,
    await ledger.experiment(claim),
    claim.doneOutputs,
    deps,
    logger,
    attempt,
  );
  const { experiment, params } = ctx;
  // An announced cancel stops the attempt at once: its signal aborts, shouldStop() is true.
  const unwatch = deps.cancels?.watch(runId, () =>
    attempt.abort(new StageStoppedError(runId, stage, 'cancelled')),
  );

  try {
    const cacheEnabled = experiment.cacheEnabled && params.cache !== false;
    const inputs = await (deps.cacheInputs ?? definition.cacheInputs)(ctx, ledger);
    const cacheKey =
      inputs === null ? undefined : stageCacheKey(stage, started.codeVersion ?? deps.codeVersion, inputs);
    if (cacheKey && cacheEnabled) {
      const cached = await findCachedStage(registry, stage, cacheKey, runId);
      // An output recorded under an older schema is not reused: the stage runs again.
      const output = cached ? definition.output.safeParse(cached.output) : null;
      if (cached && output?.success) {
        logger.info({ cachedFromRunId: cached.runId }, 'stage cache hit');
        await ledger.finish({
          ...finishOf(runId, definition, output.data),
          cacheKey,
          cacheHit: true,
          cachedFromRunId: cached.runId,
        });
        return { runId, stage, outcome: 'cache_hit' };
      }
    }

    const output = checkedOutput(
      definition,
      runId,
      await withStageTimeout(deps.handler(ctx), deps.spec.timeoutMs, attempt, runId, stage),
    );
    await ledger.finish({ ...finishOf(runId, definition, output), ...(cacheKey ? { cacheKey } : {}) });
    return { runId, stage, outcome: 'succeeded' };
  } catch (error) {
    // Nothing can be recorded while Postgres is away: runStageJob parks the job.
    if (isRegistryUnavailable(error)) throw error;
    // A handler stopped by the abort signal may throw anything: the announced cancel says why.
    if (
      (error instanceof StageStoppedError || cancelAnnounced(attempt)) &&
      (await isCancelRequested(registry, runId))
    ) {
      logger.info('stage stopped: run cancelled');
      const current = await getRun(registry, runId);
      if (current.status === 'running' || current.status === 'queued') await markCancelled(registry, runId);
      return { runId, stage, outcome: 'cancelled' };
    }
    const described = describeError(error);
    const permanent = error instanceof LatheError && error.permanent;
    const attempts = job.opts.attempts ?? 1;
    const final = permanent || job.attemptsMade + 1 >= attempts;
    logger.warn({ err: error, attempt: job.attemptsMade + 1, attempts, final }, 'stage attempt failed');
    await failStage(registry, runId, stage, { ...described, final });
    if (permanent) throw new UnrecoverableError(`${described.code}: ${described.message}`);
    throw error instanceof Error ? error : new Error(described.message);
  } finally {
    unwatch?.();
    attempt.abort();
  }
}

/** A stage's output and what the run row carries of it (its definition's run fields). */
function finishOf<S extends Stage>(runId: string, definition: StageDefinition<S>, output: StageOutput<S>) {
  return { runId, stage: definition.name, output: output as Json, ...definition.runFields(output) };
}

/**
 * The handler's output, checked against its stage's schema before it is recorded: a later stage
 * reads it typed, so a malformed one fails here, naming the field, and is not retried.
 */
function checkedOutput<S extends Stage>(
  definition: StageDefinition<S>,
  runId: string,
  output: unknown,
): StageOutput<S> {
  const parsed = definition.output.safeParse(output);
  if (parsed.success) return parsed.data;
  throw invalidStageOutput(definition.name, runId, parsed.error);
}

function invalidStageOutput(stage: Stage, runId: string, error: z.ZodError): LatheError {
  const issue = error.issues[0]!;
  const at = issue.path.map(String).join('.') || '(root)';
  return new LatheError(
    'invalid_stage_output',
    `${stage} of run ${runId} produced an output that does not match its schema at "${at}": ${issue.message}; fix the ${stage} handler (the schema is in @lathe/contract stage-outputs.ts)`,
    { permanent: true, details: { runId, stage, path: at } },
  );
}

function makeContext<S extends Stage>(
  job: Job,
  stage: S,
  run: Run,
  experiment: Experiment,
  doneOutputs: StageClaim['doneOutputs'],
  deps: StageRunnerDeps<S>,
  logger: Logger,
  attempt: AttemptAbort,
): StageContext {
  const { registry } = deps;
  const params = (run.params ?? {}) as RunParams;
  const cancelRequested = throttledStopCheck(() => isCancelRequested(registry, run.id), {
    intervalMs: deps.cancels ? CANCEL_POLL_MS : 0,
  });
  const shouldStop = async () => attempt.aborted || (await cancelRequested());
  // Progress events are transport only (Postgres has the progress): a Redis outage must neither
  // fail nor stall the stage, so they are not awaited, and only the latest waits for Redis.
  const publishProgress = latestOnly((event: object) =>
    job
      .updateProgress(event)
      .catch((error: unknown) => logger.warn({ err: error }, 'progress event not published')),
  );
  return {
    runId: run.id,
    stage,
    attempt: job.attemptsMade + 1,
    run,
    experiment,
    params,
    hyperparameters: mergedHyperparameters(experiment, params),
    registry,
    logger,
    get signal() {
      return attempt.signal;
    },
    shouldStop,
    async throwIfStopped() {
      if (await shouldStop())
        throw new StageStoppedError(
          run.id,
          stage,
          attempt.aborted && !cancelAnnounced(attempt) ? 'aborted' : 'cancelled',
        );
    },
    async reportProgress(progress: number) {
      await reportStageProgress(registry, run.id, stage, progress);
      const overall = (STAGES.indexOf(stage) + Math.min(1, Math.max(0, progress))) / STAGES.length;
      publishProgress({ runId: run.id, stage, stageProgress: progress, progress: overall });
    },
    async stageOutput<Of extends Stage>(of: Of): Promise<StageOutput<Of> | null> {
      if (!deps.definition.reads.includes(of))
        throw new LatheError(
          'undeclared_stage_read',
          `${stage} read the output of ${of}, which its definition does not list in \`reads\`; declare it in stage-definitions.ts`,
          { permanent: true },
        );
      // Stages done before this one began came back with the claim; their outputs are final.
      const raw =
        of in doneOutputs
          ? doneOutputs[of]
          : await registry.stageExecution
              .findUnique({ where: { runId_stage: { runId: run.id, stage: of } } })
              .then((row) =>
                row && (row.status === 'succeeded' || row.status === 'skipped') ? row.output : null,
              );
      if (raw === null || raw === undefined) return null;
      const parsed = STAGE_DEFINITIONS[of].output.safeParse(raw);
      if (!parsed.success) throw invalidStageOutput(of, run.id, parsed.error);
      return parsed.data;
    },
  };
}

/** Whether the attempt was aborted by an announced cancel (not a timeout or a shutdown). */
const cancelAnnounced = (attempt: AttemptAbort) => attempt.reason instanceof StageStoppedError;

/** The handler's work, bounded by the job's timeout; on timeout the attempt is aborted too. */
function withStageTimeout<T>(
  work: Promise<T>,
  timeoutMs: number,
  attempt: AttemptAbort,
  runId: string,
  stage: Stage,
): Promise<T> {
  return withDeadline(work, timeoutMs, () => {
    const error = new LatheError(
      'stage_timeout',
      `${stage} of run ${runId} ran longer than ${timeoutMs} ms and was aborted`,
      {
        details: { runId, stage, timeoutMs },
      },
    );
    attempt.abort(error);
    return error;
  });
}

/** The run's end after its last stage, for a redelivered job that finds the stage recorded. */
async function finishRunIfLast(registry: Registry, runId: string, stage: Stage): Promise<void> {
  if (stage !== STAGES[STAGES.length - 1]) return;
  const run = await getRun(registry, runId);
  if (run.status === 'running') await transitionRun(registry, runId, 'succeeded', { stage });
}
