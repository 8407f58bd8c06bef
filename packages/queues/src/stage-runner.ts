/**
 * The generic stage runner every stage worker uses:
 *   validate payload → beginStage (idempotency) → cache lookup → handler → completeStage,
 * or failStage (final when attempts are exhausted or the error is permanent).
 * A redelivered job (retry, stalled worker, re-enqueued after a Redis loss) finds its output
 * already recorded and returns it: nothing is done twice.
 */
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { LatheError, describeError, type Logger } from '@lathe/core';
import {
  STAGES,
  beginStage,
  completeStage,
  failStage,
  findCachedStage,
  getRun,
  isCancelRequested,
  markCancelled,
  reportStageProgress,
  transitionRun,
  type Experiment,
  type Json,
  type Registry,
  type Run,
  type Stage,
} from '@lathe/registry';
import { stageCacheKey } from './cache-key.ts';
import { stagePayloadSchema, type JobSpec } from './catalog.ts';
import { StageStoppedError, type RunParams, type StageContext, type StageHandler, type StageOutput } from './stage-handler.ts';

/** The inputs that decide a stage's output; null: the stage is never cached (it has side effects). */
export type CacheInputs = (ctx: StageContext) => Promise<Json | null>;

export interface StageRunnerDeps {
  registry: Registry;
  logger: Logger;
  handler: StageHandler;
  spec: JobSpec;
  /** Code version folded into cache keys (the run's own `codeVersion` wins). */
  codeVersion: string;
  cacheInputs?: CacheInputs;
}

export interface StageJobResult {
  runId: string;
  stage: Stage;
  outcome: 'succeeded' | 'already_done' | 'cache_hit' | 'cancelled' | 'skipped';
}

/** Default cache inputs: train and evaluate are pure functions of data + settings + code. */
export const defaultCacheInputs: Record<Stage, CacheInputs> = {
  ingest: async () => null,
  deploy: async () => null,
  train: async (ctx) => {
    const dataset = await datasetSha256(ctx);
    if (!dataset) return null;
    return {
      dataset,
      useCase: ctx.experiment.useCase,
      modelFamily: ctx.experiment.modelFamily,
      hyperparameters: ctx.hyperparameters as Json,
    };
  },
  evaluate: async (ctx) => {
    const dataset = await datasetSha256(ctx);
    const trained = await ctx.stageOutput('train');
    if (!dataset || !trained) return null;
    return { dataset, trained: trained as Json, gate: ctx.experiment.gate as Json };
  },
};

async function datasetSha256(ctx: StageContext): Promise<string | null> {
  if (!ctx.run.datasetVersionId) return null;
  const version = await ctx.registry.datasetVersion.findUnique({ where: { id: ctx.run.datasetVersionId }, select: { sha256: true } });
  return version?.sha256 ?? null;
}

function mergedHyperparameters(experiment: Experiment, params: RunParams): Record<string, unknown> {
  const base = (experiment.hyperparameters ?? {}) as Record<string, unknown>;
  return { ...base, ...(params.hyperparameters ?? {}) };
}

function payloadError(stage: Stage, data: unknown): LatheError | null {
  const parsed = stagePayloadSchema.safeParse(data);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return new LatheError(
    'invalid_payload',
    `${stage} job payload is invalid at "${issue.path.join('.') || '(root)'}": ${issue.message}; got ${JSON.stringify(data)}`,
    { permanent: true },
  );
}

export async function runStageJob(job: Job, stage: Stage, deps: StageRunnerDeps): Promise<StageJobResult> {
  const { registry } = deps;
  const invalid = payloadError(stage, job.data);
  if (invalid) {
    // Record on the run when the payload names one; never retry a payload that cannot parse.
    const runId = typeof job.data?.runId === 'string' ? (job.data.runId as string) : null;
    const run = runId ? await registry.run.findUnique({ where: { id: runId } }).catch(() => null) : null;
    if (run) await failStage(registry, run.id, stage, { ...describeError(invalid), final: true });
    throw new UnrecoverableError(`${invalid.code}: ${invalid.message}`);
  }
  const { runId } = stagePayloadSchema.parse(job.data);
  const logger = deps.logger.child({ runId, stage, jobId: job.id });

  const run = await getRun(registry, runId);
  if (run.status === 'cancelled') return { runId, stage, outcome: 'cancelled' };
  if (run.cancelRequestedAt) {
    await markCancelled(registry, runId);
    return { runId, stage, outcome: 'cancelled' };
  }
  if (run.status === 'succeeded') return { runId, stage, outcome: 'already_done' };
  if (run.status === 'failed') {
    throw new UnrecoverableError(`run_failed: run ${runId} already failed (${run.errorCode ?? 'unknown'}); retry the run instead`);
  }

  const execution = await beginStage(registry, runId, stage);
  if (execution.status === 'succeeded' || execution.status === 'skipped') {
    logger.info('stage already recorded; returning its output');
    await finishRunIfLast(registry, runId, stage);
    return { runId, stage, outcome: 'already_done' };
  }

  const controller = new AbortController();
  const started = await getRun(registry, runId);
  const experiment = await registry.experiment.findUniqueOrThrow({ where: { id: started.experimentId } });
  const params = (started.params ?? {}) as RunParams;
  const ctx = makeContext(job, stage, started, experiment, params, deps, logger, controller.signal);

  try {
    const cacheEnabled = experiment.cacheEnabled && params.cache !== false;
    const inputs = await (deps.cacheInputs ?? defaultCacheInputs[stage])(ctx);
    const cacheKey = inputs === null ? undefined : stageCacheKey(stage, started.codeVersion ?? deps.codeVersion, inputs);
    if (cacheKey && cacheEnabled) {
      const cached = await findCachedStage(registry, stage, cacheKey, runId);
      if (cached) {
        logger.info({ cachedFromRunId: cached.runId }, 'stage cache hit');
        await completeStage(registry, runId, stage, {
          output: (cached.output ?? {}) as Json,
          cacheKey,
          cacheHit: true,
          cachedFromRunId: cached.runId,
        });
        await afterStage(registry, runId, stage, (cached.output ?? {}) as StageOutput);
        return { runId, stage, outcome: 'cache_hit' };
      }
    }

    const output = await withTimeout(deps.handler(ctx), deps.spec.timeoutMs, controller, runId, stage);
    await completeStage(registry, runId, stage, { output: output as Json, ...(cacheKey ? { cacheKey } : {}) });
    await afterStage(registry, runId, stage, output);
    return { runId, stage, outcome: 'succeeded' };
  } catch (error) {
    if (error instanceof StageStoppedError && (await isCancelRequested(registry, runId))) {
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
    controller.abort();
  }
}

function makeContext(
  job: Job,
  stage: Stage,
  run: Run,
  experiment: Experiment,
  params: RunParams,
  deps: StageRunnerDeps,
  logger: Logger,
  signal: AbortSignal,
): StageContext {
  const { registry } = deps;
  const shouldStop = async () => signal.aborted || (await isCancelRequested(registry, run.id));
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
    signal,
    shouldStop,
    async throwIfStopped() {
      if (await shouldStop()) throw new StageStoppedError(run.id, stage, signal.aborted ? 'aborted' : 'cancelled');
    },
    async reportProgress(progress: number) {
      await reportStageProgress(registry, run.id, stage, progress);
      const overall = (STAGES.indexOf(stage) + Math.min(1, Math.max(0, progress))) / STAGES.length;
      // The event is transport only (Postgres has the progress): losing Redis must not fail the stage.
      await job
        .updateProgress({ runId: run.id, stage, stageProgress: progress, progress: overall })
        .catch((error: unknown) => logger.warn({ err: error }, 'progress event not published'));
    },
    async stageOutput(of: Stage) {
      const row = await registry.stageExecution.findUnique({ where: { runId_stage: { runId: run.id, stage: of } } });
      return row && (row.status === 'succeeded' || row.status === 'skipped') ? ((row.output ?? {}) as Record<string, unknown>) : null;
    },
  };
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, controller: AbortController, runId: string, stage: Stage): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new LatheError('stage_timeout', `${stage} of run ${runId} ran longer than ${timeoutMs} ms and was aborted`, {
        details: { runId, stage, timeoutMs },
      });
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stage results that the run row carries, and the run's end after its last stage. */
async function afterStage(registry: Registry, runId: string, stage: Stage, output: StageOutput): Promise<void> {
  if (stage === 'ingest' && typeof output.datasetVersionId === 'string') {
    await registry.run.update({ where: { id: runId }, data: { datasetVersionId: output.datasetVersionId } });
  }
  await finishRunIfLast(registry, runId, stage);
}

async function finishRunIfLast(registry: Registry, runId: string, stage: Stage): Promise<void> {
  if (stage !== STAGES[STAGES.length - 1]) return;
  const run = await getRun(registry, runId);
  if (run.status === 'running') await transitionRun(registry, runId, 'succeeded', { stage });
}
