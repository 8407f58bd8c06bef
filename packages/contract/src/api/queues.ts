/** Queues: depth, backlog for autoscalers, failed (dead-letter) jobs and their redrive. */
import { z } from 'zod';

/** Every BullMQ queue Lathe uses: one per pipeline stage, and the schedules' ticks. */
export const QUEUE_NAMES = ['ingest', 'train', 'evaluate', 'deploy', 'schedules', 'scoring'] as const;
export const queueNameSchema = z.enum(QUEUE_NAMES).describe('the queue');

export const queueStatSchema = z.object({
  queue: z.string().describe('the queue'),
  waiting: z.number().int().describe('jobs waiting for a worker'),
  active: z.number().int().describe('jobs a worker is running'),
  delayed: z.number().int().describe('jobs waiting for their retry time'),
  failed: z.number().int().describe('jobs that failed for good (dead letters)'),
  completed: z.number().int().describe('completed jobs still kept'),
});

export const queueStatsSchema = z.object({ items: z.array(queueStatSchema).describe('one per queue') });

export const queueBacklogParams = z.object({ queue: queueNameSchema });
export const queueBacklogSchema = z.object({
  queue: z.string().describe('the queue'),
  waiting: z.number().int().describe('jobs waiting for a worker'),
  prioritized: z.number().int().describe('jobs waiting with a priority'),
  delayed: z.number().int().describe('jobs waiting for their retry time'),
  backlog: z.number().int().describe('waiting + prioritized + delayed: what a worker could take'),
});

export const deadLetterSchema = z
  .object({
    jobId: z.string().describe('the BullMQ job id'),
    queue: z.string().describe('its queue'),
    name: z.string().describe('the job name'),
    runId: z.string().nullable().describe('the run it belongs to'),
    stage: z.string().nullable().describe('the pipeline stage it ran'),
    data: z.unknown().describe('its payload (ids only)'),
    attemptsMade: z.number().int().describe('attempts made'),
    failedReason: z.string().describe('the last error'),
    failedAt: z.string().nullable().describe('when it last failed'),
  })
  .meta({ id: 'DeadLetter', description: 'a job that failed for good' });

export const listFailedJobsQuery = z.object({
  queue: queueNameSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('jobs at most'),
});
export const failedJobsSchema = z.object({ items: z.array(deadLetterSchema).describe('newest first') });

export const redriveParams = z.object({
  jobId: z
    .string()
    .min(1)
    .max(300)
    .regex(/^[A-Za-z0-9:_.-]+$/, 'a job id as listed by GET /queues/failed')
    .describe('a job id as listed by GET /queues/failed'),
});
export const redriveResultSchema = z.object({
  jobId: z.string().describe('the job put back'),
  runId: z.string().nullable().describe('its run'),
  fromStage: z.string().nullable().describe('the stage the run goes on from'),
});

export type QueueName = z.infer<typeof queueNameSchema>;
export type QueueStat = z.infer<typeof queueStatSchema>;
export type DeadLetter = z.infer<typeof deadLetterSchema>;
