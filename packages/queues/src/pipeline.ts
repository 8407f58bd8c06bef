/**
 * The pipeline: what the API (and the scheduler, and the demo) call to start, cancel, retry and
 * observe runs. It owns the producer side (queues, the flow producer); workers are started
 * separately with `startWorkers`.
 */
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Registry as MetricsRegistry } from 'prom-client';
import { ConflictError, NotFoundError, silentLogger, type Logger } from '@lathe/core';
import {
  STAGES,
  createRuns,
  getRun,
  prepareRetry,
  requestCancel,
  transitionRun,
  type Json,
  type NewRun,
  type Registry,
  type Run,
  type RunTrigger,
  type Stage,
} from '@lathe/registry';
import {
  QUEUE_NAMES,
  SCHEDULE_QUEUE,
  STAGE_QUEUES,
  resolveJobSpecs,
  type JobName,
  type JobSpec,
  type JobSpecOverrides,
  type QueueName,
} from './catalog.ts';
import { publishCancel } from './cancel-signals.ts';
import { connectProducerRedis, type RedisConnectionInput } from './connection.ts';
import { parseStageJobId } from './job-ids.ts';
import { createWriteBatcher } from './write-batcher.ts';
import { createRunProgressStream, type RunProgressStream } from './progress-stream.ts';
import { readQueueBacklog, type QueueBacklog } from './queue-backlog.ts';
import { registerQueueMetrics } from './queue-metrics.ts';
import { reconcileRuns, type ReconcileRunsResult } from './recovery.ts';
import { enqueueRunFlow, removeRunJobs, type RunJobsContext } from './run-jobs.ts';
import { reconcileSchedules, syncSchedule, type ScheduleContext } from './schedules.ts';

export interface PipelineOptions {
  registry: Registry;
  /** A redis:// URL or ioredis options. */
  connection: RedisConnectionInput;
  /** BullMQ key prefix (config LATHE_QUEUE_PREFIX; tests: the harness prefix). */
  prefix: string;
  logger?: Logger;
  /** Catalog overrides: attempts, backoff, lock and timeout per job. */
  jobs?: JobSpecOverrides;
  /** Recorded on runs and folded into stage cache keys. */
  codeVersion?: string;
  /** How long adding a run's flow may take before it fails with enqueue_failed (Redis down). */
  enqueueTimeoutMs?: number;
}

export interface StartRunInput {
  experimentId: string;
  trigger?: RunTrigger;
  params?: Record<string, unknown>;
  idempotencyKey?: string;
  seed?: number;
  /** false: this run reuses no cached stage output. */
  cache?: boolean;
  scheduleId?: string;
}

export interface DeadLetter {
  jobId: string;
  queue: QueueName;
  name: string;
  runId: string | null;
  stage: Stage | null;
  data: unknown;
  attemptsMade: number;
  failedReason: string;
  failedAt: string | null;
}

export interface QueueStats {
  queue: QueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface Pipeline {
  readonly registry: Registry;
  readonly prefix: string;
  readonly connection: RedisConnectionInput;
  readonly logger: Logger;
  readonly specs: Record<JobName, JobSpec>;
  readonly codeVersion: string;
  /** The BullMQ queues by name (for Bull Board). */
  readonly queues: Record<QueueName, Queue>;
  /** Queue depth/active/failed gauges, read at scrape time. */
  readonly metricsRegistry: MetricsRegistry;
  startRun(input: StartRunInput): Promise<Run>;
  cancelRun(runId: string): Promise<Run>;
  retryRun(runId: string): Promise<{ run: Run; fromStage: Stage }>;
  listFailedJobs(options?: { queue?: QueueName; limit?: number }): Promise<DeadLetter[]>;
  /** Retries a dead-lettered job: a stage job retries its run from the failed stage. */
  redrive(jobId: string): Promise<{ runId: string | null; fromStage: Stage | null }>;
  queueStats(): Promise<QueueStats[]>;
  /** Waiting + prioritized + delayed jobs of one queue (what an autoscaler scales on). */
  queueBacklog(queue: QueueName): Promise<QueueBacklog>;
  progressEvents(runId?: string): RunProgressStream;
  reconcileSchedules(): Promise<{ upserted: number; removed: number }>;
  syncSchedule(scheduleId: string): Promise<'upserted' | 'removed'>;
  reconcileRuns(options?: { olderThanMs?: number }): Promise<ReconcileRunsResult>;
  close(): Promise<void>;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const logger = options.logger ?? silentLogger;
  const specs = resolveJobSpecs(options.jobs);
  const connection: Redis = connectProducerRedis(options.connection, 'lathe-pipeline');
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix: options.prefix })]),
  ) as Record<QueueName, Queue>;
  const stageQueues = Object.fromEntries(STAGES.map((s) => [s, queues[STAGE_QUEUES[s]]])) as Record<
    Stage,
    Queue
  >;
  const flowProducer = new FlowProducer({ connection, prefix: options.prefix });
  // While Redis is unreachable every reconnect attempt reports here: into the log, once per
  // connection error, not as raw stack traces on stderr.
  connection.on('error', (error: Error) => logger.warn({ err: error }, 'pipeline: Redis connection error'));
  // The queues and the flow producer report the same errors again; the line above logs them.
  for (const queue of Object.values(queues)) queue.on('error', () => undefined);
  flowProducer.on('error', () => undefined);
  const jobs: RunJobsContext = {
    queues: stageQueues,
    flowProducer,
    specs,
    ...(options.enqueueTimeoutMs ? { enqueueTimeoutMs: options.enqueueTimeoutMs } : {}),
  };
  const schedules: ScheduleContext = {
    registry: options.registry,
    queue: queues[SCHEDULE_QUEUE],
    spec: specs.scheduleTick,
    logger,
  };
  const metricsRegistry = new MetricsRegistry();
  registerQueueMetrics(metricsRegistry, Object.values(queues));
  const streams = new Set<RunProgressStream>();
  const registry = options.registry;
  const codeVersion = options.codeVersion ?? 'dev';
  // Group commit for run creation; two starts with one idempotency key never share a statement.
  const runCreator = createWriteBatcher({
    run: (inputs: NewRun[]) => createRuns(registry, inputs, { requireActiveExperiment: true }),
    key: (input) => input.idempotencyKey,
  });

  const pipeline: Pipeline = {
    registry,
    prefix: options.prefix,
    connection: options.connection,
    logger,
    specs,
    codeVersion,
    queues,
    metricsRegistry,

    async startRun(input) {
      const params: Record<string, unknown> = { ...(input.params ?? {}) };
      if (input.cache !== undefined) params.cache = input.cache;
      // One statement, shared by concurrent starts: the experiment check (exists, not
      // archived), the run and its stage rows.
      const result = await runCreator.submit({
        experimentId: input.experimentId,
        trigger: input.trigger ?? (input.scheduleId ? 'schedule' : 'manual'),
        params: params as Json,
        codeVersion,
        ...(input.seed !== undefined ? { seed: input.seed } : {}),
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
        ...(input.scheduleId ? { scheduleId: input.scheduleId } : {}),
      });
      if (result instanceof Error) throw result;
      const { run, created } = result;
      // Same idempotency key: the run and its flow exist already (recovery re-adds a lost flow).
      if (!created) return run;
      try {
        await enqueueRunFlow(jobs, run.id, 'ingest');
      } catch (error) {
        // No queued run without a flow: the row says why it never started.
        await transitionRun(registry, run.id, 'failed', {
          errorCode: 'enqueue_failed',
          errorMessage: (error as Error).message,
          errorStage: 'ingest',
        }).catch(() => undefined);
        throw error;
      }
      logger.info({ runId: run.id, experimentId: run.experimentId, trigger: run.trigger }, 'run queued');
      return run;
    },

    async cancelRun(runId) {
      const run = await requestCancel(registry, runId);
      if (run.status === 'cancelled') {
        // Never started: drop its pending jobs (a job already taken sees the cancel and stops).
        await removeRunJobs(jobs, runId, { skipActive: true }).catch((error: unknown) =>
          logger.warn({ err: error, runId }, 'could not remove the jobs of a cancelled run'),
        );
      } else {
        // Running: tell the workers now. Recorded already, so a lost message only delays the
        // stop until the attempt's next registry poll.
        await publishCancel(connection, options.prefix, runId).catch((error: unknown) =>
          logger.warn(
            { err: error, runId },
            'could not announce the cancel; workers will see it when they next poll',
          ),
        );
      }
      logger.info({ runId, status: run.status }, 'run cancel requested');
      return run;
    },

    async retryRun(runId) {
      const current = await getRun(registry, runId);
      if (current.status !== 'failed') {
        throw new ConflictError(
          'run_not_failed',
          `run ${runId} is ${current.status}; only a failed run can be retried`,
          {
            runId,
            status: current.status,
          },
        );
      }
      await removeRunJobs(jobs, runId);
      const { run, fromStage } = await prepareRetry(registry, runId);
      await enqueueRunFlow(jobs, runId, fromStage);
      logger.info({ runId, fromStage }, 'run retried from its failed stage');
      return { run, fromStage };
    },

    async listFailedJobs({ queue, limit = 50 } = {}) {
      const names = queue ? [queue] : [...QUEUE_NAMES];
      const letters: DeadLetter[] = [];
      for (const name of names) {
        const failed = await queues[name].getFailed(0, limit - 1);
        for (const job of failed) {
          if (!job?.id) continue;
          const parsed = parseStageJobId(job.id);
          letters.push({
            jobId: job.id,
            queue: name,
            name: job.name,
            runId: parsed?.runId ?? null,
            stage: parsed?.stage ?? null,
            data: job.data,
            attemptsMade: job.attemptsMade,
            failedReason: job.failedReason,
            failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
          });
        }
      }
      letters.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
      return letters.slice(0, limit);
    },

    async redrive(jobId) {
      const parsed = parseStageJobId(jobId);
      if (parsed) {
        const { fromStage } = await pipeline.retryRun(parsed.runId);
        return { runId: parsed.runId, fromStage };
      }
      for (const name of QUEUE_NAMES) {
        const job = await queues[name].getJob(jobId);
        if (job && (await job.getState()) === 'failed') {
          await job.retry('failed');
          return { runId: null, fromStage: null };
        }
      }
      throw new NotFoundError('failed job', jobId);
    },

    async queueBacklog(queue) {
      return readQueueBacklog(queues[queue]);
    },

    async queueStats() {
      return Promise.all(
        QUEUE_NAMES.map(async (name) => {
          const c = await queues[name].getJobCounts(
            'waiting',
            'active',
            'delayed',
            'failed',
            'completed',
            'prioritized',
            'waiting-children',
          );
          return {
            queue: name,
            waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
            active: c.active ?? 0,
            delayed: c.delayed ?? 0,
            failed: c.failed ?? 0,
            completed: c.completed ?? 0,
          };
        }),
      );
    },

    progressEvents(runId) {
      const stream = createRunProgressStream({
        registry,
        connection: options.connection,
        prefix: options.prefix,
        logger,
        ...(runId ? { runId } : {}),
      });
      streams.add(stream);
      const close = stream.close.bind(stream);
      stream.close = async () => {
        streams.delete(stream);
        await close();
      };
      return stream;
    },

    reconcileSchedules: () => reconcileSchedules(schedules),
    syncSchedule: (scheduleId) => syncSchedule(schedules, scheduleId),
    reconcileRuns: (opts) => reconcileRuns({ ...jobs, registry, logger }, opts),

    async close() {
      await Promise.allSettled([...streams].map((s) => s.close()));
      await flowProducer.close();
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
      connection.disconnect();
    },
  };
  return pipeline;
}
