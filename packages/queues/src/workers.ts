/**
 * Stage workers. One process may run all four stages (the demo, end-to-end tests) or one (each
 * service's main.ts). Closing a worker group lets active jobs finish; a job whose process dies
 * instead is found by BullMQ's stalled-job check once its lock lapses and runs again elsewhere,
 * which the idempotent stage runner makes harmless.
 */
import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry as MetricsRegistry } from 'prom-client';
import { type Logger } from '@lathe/core';
import type { Stage } from '@lathe/registry';
import { LATHE_BACKOFF, jitteredBackoffMs } from './backoff.ts';
import { SCHEDULE_QUEUE, STAGE_QUEUES, type JobName } from './catalog.ts';
import { connectRedis } from './connection.ts';
import type { Pipeline } from './pipeline.ts';
import { subscribeCancels } from './cancel-signals.ts';
import { instrumentWorker } from './queue-metrics.ts';
import { closeWorkers, createActiveJobs } from './worker-close.ts';
import { handleScheduleTick } from './schedules.ts';
import { createStageLedger, type StageLedger } from './stage-ledger.ts';
import { STAGE_DEFINITIONS, type CacheInputs } from './stage-definitions.ts';
import { runStageJob } from './stage-runner.ts';
import type { StageHandlers } from './stage-handler.ts';

export interface StartWorkersOptions {
  pipeline: Pipeline;
  stages: Stage[];
  handlers: StageHandlers;
  /** Jobs at once per stage; a number applies to every stage. Default: the catalog's. */
  concurrency?: number | Partial<Record<Stage, number>>;
  /** Also consume schedule ticks (one process per installation is enough; more are safe). */
  schedules?: boolean;
  /** Overrides of the cache inputs per stage (default: see stage-runner.ts). */
  cacheInputs?: Partial<Record<Stage, CacheInputs>>;
  /** How often to look for stalled jobs; default half the lock duration. */
  stalledIntervalMs?: number;
  /**
   * What the group's jobs read from and write to the registry around each stage; default the
   * registry's (`createStageLedger`). Benchmarks swap in one that stays in memory to measure
   * what the registry's bookkeeping costs.
   */
  ledger?: StageLedger;
  /** Observe job durations here (the process's metrics registry). */
  metricsRegistry?: MetricsRegistry;
  logger?: Logger;
}

export interface WorkerGroup {
  workers: Worker[];
  /** Running workers with their queue, for health endpoints and heartbeats. */
  health(): Promise<{
    ok: boolean;
    workers: Array<{ queue: string; running: boolean; paused: boolean }>;
    redis: boolean;
  }>;
  /** Stop taking jobs, let active ones finish, close connections. */
  close(): Promise<void>;
}

function backoffStrategy(specs: Pipeline['specs']) {
  return (
    attemptsMade: number,
    type?: string,
    _err?: Error,
    job?: { name: string; opts: { backoff?: unknown } },
  ) => {
    if (type !== LATHE_BACKOFF) return 0;
    const spec = specs[(job?.name ?? 'ingest') as JobName] ?? specs.ingest;
    return jitteredBackoffMs(attemptsMade, spec.backoff.baseMs, spec.backoff.capMs);
  };
}

/** The BullMQ worker options of a Lathe queue (exported so benchmarks compare like with like). */
export function stageWorkerOptions(
  specs: Pipeline['specs'],
  jobName: JobName,
  options: { connection: Redis; prefix: string; concurrency: number; stalledIntervalMs?: number },
): WorkerOptions {
  const spec = specs[jobName];
  return {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: spec.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? Math.max(500, Math.floor(spec.lockDurationMs / 2)),
    // A job whose worker died twice is not retried forever as "stalled".
    maxStalledCount: 2,
    settings: { backoffStrategy: backoffStrategy(specs) },
  };
}

export async function startWorkers(options: StartWorkersOptions): Promise<WorkerGroup> {
  const { pipeline } = options;
  const logger = options.logger ?? pipeline.logger;
  const connections: Redis[] = [];
  const workers: Worker[] = [];
  const activeJobs = createActiveJobs();

  const makeWorker = (
    queueName: string,
    jobName: JobName,
    concurrency: number,
    processor: (job: Job, token?: string) => Promise<unknown>,
  ) => {
    const connection = connectRedis(pipeline.connection, `lathe-worker-${queueName}`);
    connections.push(connection);
    const worker = new Worker(
      queueName,
      (job: Job, token?: string) => activeJobs.track(processor(job, token)),
      stageWorkerOptions(pipeline.specs, jobName, {
        connection,
        prefix: pipeline.prefix,
        concurrency,
        ...(options.stalledIntervalMs ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
      }),
    );
    worker.on('error', (error) => logger.error({ err: error, queue: queueName }, 'worker error'));
    worker.on('failed', (job, error) => {
      logger.warn(
        { queue: queueName, jobId: job?.id, err: error, attemptsMade: job?.attemptsMade },
        'job failed',
      );
    });
    if (options.metricsRegistry) instrumentWorker(worker, options.metricsRegistry);
    workers.push(worker);
    return worker;
  };

  // One ledger for the group: the concurrent jobs of every stage share its statements and caches.
  const ledger = options.ledger ?? createStageLedger(pipeline.registry);
  // One subscription for the group: announced cancels stop its active attempts at once.
  const cancels = await subscribeCancels({
    connection: pipeline.connection,
    prefix: pipeline.prefix,
    logger,
  });
  for (const stage of options.stages) {
    const handler = options.handlers[stage];
    if (!handler) throw new Error(`startWorkers: no handler for stage ${stage}`);
    const spec = pipeline.specs[stage];
    const concurrency =
      typeof options.concurrency === 'number'
        ? options.concurrency
        : (options.concurrency?.[stage] ?? spec.concurrency);
    const cacheInputs = options.cacheInputs?.[stage];
    makeWorker(STAGE_QUEUES[stage], stage, concurrency, (job, token) =>
      runStageJob(
        job,
        stage,
        {
          registry: pipeline.registry,
          logger,
          definition: STAGE_DEFINITIONS[stage],
          handler,
          spec,
          codeVersion: pipeline.codeVersion,
          ledger,
          cancels,
          ...(cacheInputs ? { cacheInputs } : {}),
        },
        token,
      ),
    );
  }

  if (options.schedules) {
    const queue = pipeline.queues[SCHEDULE_QUEUE];
    makeWorker(SCHEDULE_QUEUE, 'scheduleTick', pipeline.specs.scheduleTick.concurrency, async (job) => {
      try {
        return await handleScheduleTick(
          { registry: pipeline.registry, queue, spec: pipeline.specs.scheduleTick, logger },
          job,
          (input) => pipeline.startRun({ ...input, trigger: 'schedule' }),
        );
      } catch (error) {
        if ((error as { permanent?: boolean }).permanent)
          throw new UnrecoverableError((error as Error).message);
        throw error;
      }
    });
  }

  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ queues: workers.map((w) => w.name), prefix: pipeline.prefix }, 'workers started');

  return {
    workers,
    async health() {
      let redis = false;
      try {
        redis = (await connections[0]?.ping()) === 'PONG';
      } catch {
        redis = false;
      }
      const list = workers.map((w) => ({ queue: w.name, running: w.isRunning(), paused: w.isPaused() }));
      return { ok: redis && list.every((w) => w.running), workers: list, redis };
    },
    async close() {
      await closeWorkers(workers, activeJobs, logger);
      await cancels.close();
      for (const connection of connections) connection.disconnect();
    },
  };
}
