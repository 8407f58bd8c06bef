/**
 * Scheduled retraining. Schedule rows are the intent; each enabled row is reconciled to a BullMQ
 * job scheduler (`upsertJobScheduler`, keyed `schedule-<id>`) whose ticks land on the
 * `schedules` queue; a disabled or deleted row's scheduler is removed. A tick starts a run with
 * trigger `schedule`, unless the previous scheduled run is still active: then the tick is
 * skipped and counted on the row (overlap policy "skip", as Kubernetes CronJob's Forbid).
 */
import type { Job, Queue } from 'bullmq';
import { LatheError, ValidationError, type Logger } from '@lathe/core';
import {
  ACTIVE_RUN_STATUSES,
  findSchedule,
  listSchedules,
  recordScheduledRun,
  recordSkippedTick,
  type Registry,
  type Run,
  type Schedule,
} from '@lathe/registry';
import { SCHEDULE_QUEUE, scheduleTickPayloadSchema, type JobSpec } from './catalog.ts';
import { LATHE_SPAN_ATTRIBUTES, traceJobAttempt } from './job-tracing.ts';
import { scheduleIdFromSchedulerId, scheduleJobSchedulerId } from './job-ids.ts';
import { LATHE_BACKOFF } from './backoff.ts';

export interface ScheduleContext {
  registry: Registry;
  queue: Queue;
  spec: JobSpec;
  logger: Logger;
}

async function upsert(ctx: ScheduleContext, schedule: Schedule): Promise<void> {
  try {
    await ctx.queue.upsertJobScheduler(
      scheduleJobSchedulerId(schedule.id),
      { pattern: schedule.cron, tz: schedule.timezone },
      {
        name: 'scheduleTick',
        data: { scheduleId: schedule.id },
        opts: {
          attempts: ctx.spec.attempts,
          backoff: { type: LATHE_BACKOFF, delay: ctx.spec.backoff.baseMs },
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 1000 },
        },
      },
    );
  } catch (error) {
    throw new ValidationError(
      `schedule ${schedule.id}: cron ${JSON.stringify(schedule.cron)} in ${schedule.timezone} was refused by the scheduler: ${(error as Error).message}`,
      { scheduleId: schedule.id, cron: schedule.cron, timezone: schedule.timezone },
      'invalid_cron',
    );
  }
}

/** Makes the scheduler of one schedule match its row (call after create/update/delete). */
export async function syncSchedule(
  ctx: ScheduleContext,
  scheduleId: string,
): Promise<'upserted' | 'removed'> {
  const schedule = await findSchedule(ctx.registry, scheduleId);
  if (schedule?.enabled) {
    await upsert(ctx, schedule);
    return 'upserted';
  }
  await ctx.queue.removeJobScheduler(scheduleJobSchedulerId(scheduleId));
  return 'removed';
}

/** Start-up (and after a Redis loss): every enabled row has a scheduler, no other scheduler remains. */
export async function reconcileSchedules(
  ctx: ScheduleContext,
): Promise<{ upserted: number; removed: number }> {
  const enabled = await listSchedules(ctx.registry, { enabled: true });
  for (const schedule of enabled) await upsert(ctx, schedule);
  const wanted = new Set(enabled.map((s) => scheduleJobSchedulerId(s.id)));
  let removed = 0;
  const existing = await ctx.queue.getJobSchedulers(0, -1);
  for (const scheduler of existing) {
    const key = scheduler.key;
    if (scheduleIdFromSchedulerId(key) !== null && !wanted.has(key)) {
      await ctx.queue.removeJobScheduler(key);
      removed++;
    }
  }
  return { upserted: enabled.length, removed };
}

export type TickOutcome =
  | { outcome: 'started'; runId: string }
  | { outcome: 'skipped'; activeRunId: string }
  | { outcome: 'ignored'; reason: string };

/** Handles one tick. `startRun` is the pipeline's, so a scheduled run is like any other. */
type StartScheduledRun = (input: {
  experimentId: string;
  scheduleId: string;
  idempotencyKey: string;
}) => Promise<Run>;

/**
 * One schedule tick, inside its consumer span (job-tracing.ts): the tick starts a trace, and the
 * run it starts is enqueued under it, so a scheduled run is one trace from its tick on.
 */
export function handleScheduleTick(
  ctx: ScheduleContext,
  job: Job,
  startRun: StartScheduledRun,
): Promise<TickOutcome> {
  const scheduleId: unknown = job.data?.scheduleId;
  return traceJobAttempt(
    job,
    SCHEDULE_QUEUE,
    typeof scheduleId === 'string' ? { [LATHE_SPAN_ATTRIBUTES.scheduleId]: scheduleId } : {},
    () => handleTick(ctx, job, startRun),
  );
}

async function handleTick(ctx: ScheduleContext, job: Job, startRun: StartScheduledRun): Promise<TickOutcome> {
  const parsed = scheduleTickPayloadSchema.safeParse(job.data);
  if (!parsed.success) {
    throw new LatheError(
      'invalid_payload',
      `schedule tick payload is invalid: ${parsed.error.issues[0]?.message}; got ${JSON.stringify(job.data)}`,
      {
        permanent: true,
      },
    );
  }
  const { scheduleId } = parsed.data;
  const schedule = await findSchedule(ctx.registry, scheduleId);
  if (!schedule || !schedule.enabled) {
    // The row changed after the tick was queued: stop the scheduler too (self-healing).
    await ctx.queue.removeJobScheduler(scheduleJobSchedulerId(scheduleId));
    return { outcome: 'ignored', reason: schedule ? 'disabled' : 'deleted' };
  }
  const active = await ctx.registry.run.findFirst({
    where: { scheduleId, status: { in: [...ACTIVE_RUN_STATUSES] } },
    select: { id: true },
  });
  if (active) {
    await recordSkippedTick(ctx.registry, scheduleId);
    ctx.logger.info(
      { scheduleId, activeRunId: active.id },
      'scheduled tick skipped: previous run still active',
    );
    return { outcome: 'skipped', activeRunId: active.id };
  }
  // The tick's job id is unique per firing, so a redelivered tick starts the same run.
  const run = await startRun({
    experimentId: schedule.experimentId,
    scheduleId,
    idempotencyKey: `tick-${job.id}`,
  });
  await recordScheduledRun(ctx.registry, scheduleId, run.id);
  return { outcome: 'started', runId: run.id };
}
