/** Schedules of retraining; each change is reconciled to a BullMQ job scheduler. */
import { z } from 'zod';
import { paginationQuery, timestamp } from './common.ts';

export const scheduleSchema = z
  .object({
    id: z.uuid().describe('the schedule id'),
    experimentId: z.uuid().describe('the experiment it starts runs of'),
    cron: z.string().describe('when it ticks (cron syntax)'),
    timezone: z.string().describe('the IANA time zone the cron is read in'),
    enabled: z.boolean().describe('whether ticks start runs'),
    skippedTicks: z.number().int().describe('ticks skipped because a run of the experiment was still going'),
    lastTickAt: timestamp.nullable().describe('when it last ticked'),
    lastRunId: z.string().nullable().describe('the run its last tick started'),
    createdAt: timestamp.describe('when it was created'),
    updatedAt: timestamp.describe('when it last changed'),
  })
  .meta({ id: 'Schedule', description: 'a retraining schedule' });

const cron = z
  .string()
  .min(9)
  .max(120)
  .describe('5 fields (min hour day month weekday) or 6 with seconds first');
const timezone = z.string().min(1).max(64).describe('IANA time zone, e.g. Europe/Paris');

export const createScheduleBody = z.strictObject({
  cron,
  timezone: timezone.optional(),
  enabled: z.boolean().optional().describe('default true'),
});

export const updateScheduleBody = z
  .strictObject({ cron, timezone, enabled: z.boolean().describe('whether ticks start runs') })
  .partial();

export const listSchedulesQuery = paginationQuery.extend({
  experimentId: z.uuid().optional().describe('only schedules of this experiment'),
  enabled: z.enum(['true', 'false']).optional().describe('only enabled or disabled schedules'),
});

export type Schedule = z.infer<typeof scheduleSchema>;
