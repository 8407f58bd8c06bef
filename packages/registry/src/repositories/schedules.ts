/**
 * Schedules for retraining. The rows are the intent; @lathe/queues reconciles them to BullMQ
 * job schedulers (call `pipeline.syncSchedule(id)` after each change here).
 */
import { NotFoundError, ValidationError } from '@lathe/core';
import type { Schedule } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

export interface NewSchedule {
  experimentId: string;
  cron: string;
  timezone?: string;
  enabled?: boolean;
}

export type SchedulePatch = Partial<Pick<NewSchedule, 'cron' | 'timezone' | 'enabled'>>;

/** An IANA time zone name that this Node's Intl knows, e.g. `Europe/Paris`. */
export function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ValidationError(
      `timezone ${JSON.stringify(timezone)} is not an IANA time zone (e.g. "UTC", "Europe/Paris")`,
      {
        field: 'timezone',
        value: timezone,
      },
    );
  }
}

/** Cron syntax is checked where it is used (BullMQ's parser, in @lathe/queues); here only its shape. */
function assertCronShape(cron: string): void {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    throw new ValidationError(
      `cron ${JSON.stringify(cron)} has ${fields.length} fields; expected 5 (min hour day month weekday) or 6 (with seconds first)`,
      { field: 'cron', value: cron },
    );
  }
}

export async function createSchedule(db: Db, input: NewSchedule): Promise<Schedule> {
  assertCronShape(input.cron);
  if (input.timezone) assertTimezone(input.timezone);
  const experiment = await db.experiment.findUnique({
    where: { id: input.experimentId },
    select: { id: true },
  });
  if (!experiment) throw new NotFoundError('experiment', input.experimentId);
  return db.schedule.create({
    data: {
      experimentId: input.experimentId,
      cron: input.cron.trim(),
      timezone: input.timezone ?? 'UTC',
      enabled: input.enabled ?? true,
    },
  });
}

export async function getSchedule(db: Db, id: string): Promise<Schedule> {
  const schedule = await db.schedule.findUnique({ where: { id } });
  if (!schedule) throw new NotFoundError('schedule', id);
  return schedule;
}

export async function findSchedule(db: Db, id: string): Promise<Schedule | null> {
  return db.schedule.findUnique({ where: { id } });
}

export async function updateSchedule(db: Db, id: string, patch: SchedulePatch): Promise<Schedule> {
  if (patch.cron !== undefined) assertCronShape(patch.cron);
  if (patch.timezone !== undefined) assertTimezone(patch.timezone);
  await getSchedule(db, id);
  return db.schedule.update({
    where: { id },
    data: {
      ...(patch.cron !== undefined ? { cron: patch.cron.trim() } : {}),
      ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    },
  });
}

export async function deleteSchedule(db: Db, id: string): Promise<Schedule> {
  const schedule = await getSchedule(db, id);
  await db.schedule.delete({ where: { id } });
  return schedule;
}

export async function listSchedules(
  db: Db,
  options: { experimentId?: string; enabled?: boolean } = {},
): Promise<Schedule[]> {
  return db.schedule.findMany({
    where: {
      ...(options.experimentId ? { experimentId: options.experimentId } : {}),
      ...(options.enabled !== undefined ? { enabled: options.enabled } : {}),
    },
    orderBy: { createdAt: 'asc' },
  });
}

/** A tick arrived while the previous scheduled run was active: counted, not run (overlap policy). */
export async function recordSkippedTick(db: Db, id: string, at: Date = new Date()): Promise<void> {
  await db.schedule.updateMany({ where: { id }, data: { skippedTicks: { increment: 1 }, lastTickAt: at } });
}

export async function recordScheduledRun(
  db: Db,
  id: string,
  runId: string,
  at: Date = new Date(),
): Promise<void> {
  await db.schedule.updateMany({ where: { id }, data: { lastRunId: runId, lastTickAt: at } });
}
