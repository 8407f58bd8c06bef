/**
 * The typed job catalog: every queue Lathe uses, the zod schema of its payload, and how its jobs
 * are retried, locked, timed out and consumed (as trigger.dev declares a worker catalog).
 * Payloads carry ids only (docs/architecture.md, "Job payloads carry ids, not data"): a stage job says which run.
 */
import { z } from 'zod';
import type { QueueName } from '@lathe/contract';
import type { Stage } from '@lathe/registry';

export const STAGE_QUEUES = {
  ingest: 'ingest',
  train: 'train',
  evaluate: 'evaluate',
  deploy: 'deploy',
} as const satisfies Record<Stage, QueueName>;

/** The queue whose job schedulers emit one tick per cron firing of a Schedule row. */
export const SCHEDULE_QUEUE = 'schedules' satisfies QueueName;

/** Every queue, as the admin API names them (@lathe/contract); the catalog below must cover each. */
export { QUEUE_NAMES, type QueueName } from '@lathe/contract';

/**
 * The W3C trace context of the span that enqueued a job (job-tracing.ts), present only while
 * tracing is on. Declared here once, for every payload that carries it. One that does not parse
 * is dropped (the attempt starts a new trace), never a reason to fail the job.
 */
export const traceContextSchema = z.strictObject({
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/),
  tracestate: z.string().max(512).optional(),
});
export type TraceContext = z.infer<typeof traceContextSchema>;
const carriedTrace = traceContextSchema.optional().catch(undefined);

export const stagePayloadSchema = z.strictObject({ runId: z.uuid(), trace: carriedTrace });
export type StagePayload = z.infer<typeof stagePayloadSchema>;

export const scheduleTickPayloadSchema = z.strictObject({ scheduleId: z.uuid() });
export type ScheduleTickPayload = z.infer<typeof scheduleTickPayloadSchema>;

/** The queue of batch scoring jobs (a ScoringJob row says what to score). */
export const SCORING_QUEUE = 'scoring' satisfies QueueName;
export const scoringPayloadSchema = z.strictObject({ scoringJobId: z.uuid(), trace: carriedTrace });
export type ScoringPayload = z.infer<typeof scoringPayloadSchema>;

export interface JobSpec<S extends z.ZodType = z.ZodType> {
  queue: QueueName;
  schema: S;
  /** Tries in all, the first included. */
  attempts: number;
  /** Retry delay: exponential from `baseMs`, jittered, at most `capMs` (see backoff.ts). */
  backoff: { baseMs: number; capMs: number };
  /** A worker that stops renewing the lock for this long is presumed dead; the job is stalled. */
  lockDurationMs: number;
  /** An attempt running longer than this is aborted and counts as failed (`stage_timeout`). */
  timeoutMs: number;
  /** Jobs one worker process runs at once (config may override). */
  concurrency: number;
}

const minute = 60_000;

export const JOB_CATALOG = {
  ingest: {
    queue: 'ingest',
    schema: stagePayloadSchema,
    attempts: 3,
    backoff: { baseMs: 2_000, capMs: 60_000 },
    lockDurationMs: 30_000,
    timeoutMs: 30 * minute,
    concurrency: 2,
  },
  train: {
    queue: 'train',
    schema: stagePayloadSchema,
    attempts: 2,
    backoff: { baseMs: 5_000, capMs: 5 * minute },
    lockDurationMs: 60_000,
    timeoutMs: 6 * 60 * minute,
    concurrency: 1,
  },
  evaluate: {
    queue: 'evaluate',
    schema: stagePayloadSchema,
    attempts: 3,
    backoff: { baseMs: 2_000, capMs: 60_000 },
    lockDurationMs: 30_000,
    timeoutMs: 60 * minute,
    concurrency: 2,
  },
  deploy: {
    queue: 'deploy',
    schema: stagePayloadSchema,
    attempts: 5,
    backoff: { baseMs: 1_000, capMs: 30_000 },
    lockDurationMs: 30_000,
    timeoutMs: 10 * minute,
    concurrency: 4,
  },
  // One tick at a time: the overlap check (is the previous scheduled run active?) must not race itself.
  scheduleTick: {
    queue: 'schedules',
    schema: scheduleTickPayloadSchema,
    attempts: 3,
    backoff: { baseMs: 1_000, capMs: 10_000 },
    lockDurationMs: 30_000,
    timeoutMs: minute,
    concurrency: 1,
  },
  // A whole dataset version through one model: long, but each attempt restarts from the first row.
  scoring: {
    queue: 'scoring',
    schema: scoringPayloadSchema,
    attempts: 3,
    backoff: { baseMs: 2_000, capMs: 60_000 },
    lockDurationMs: 30_000,
    timeoutMs: 60 * minute,
    concurrency: 1,
  },
} as const satisfies Record<Stage | 'scheduleTick' | 'scoring', JobSpec>;

export type JobName = keyof typeof JOB_CATALOG;
export type StageSpecs = Record<Stage, JobSpec<typeof stagePayloadSchema>>;

/** Catalog overrides (tests shorten backoff and locks; operators tune attempts). */
export type JobSpecOverrides = Partial<Record<JobName, Partial<Omit<JobSpec, 'queue' | 'schema'>>>>;

export function resolveJobSpecs(overrides: JobSpecOverrides = {}): Record<JobName, JobSpec> {
  const resolved = {} as Record<JobName, JobSpec>;
  for (const name of Object.keys(JOB_CATALOG) as JobName[]) {
    const base: JobSpec = JOB_CATALOG[name];
    const override = overrides[name] ?? {};
    resolved[name] = { ...base, ...override, backoff: { ...base.backoff, ...(override.backoff ?? {}) } };
  }
  return resolved;
}
