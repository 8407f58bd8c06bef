/** Queues: depth per queue, failed (dead-letter) jobs, and redrive of a failed job. */
import { z } from 'zod';
import { QUEUE_NAMES } from '@lathe/queues';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';

const statSchema = z.object({
  queue: z.string(),
  waiting: z.number().int(),
  active: z.number().int(),
  delayed: z.number().int(),
  failed: z.number().int(),
  completed: z.number().int(),
});
const deadLetterSchema = z
  .object({
    jobId: z.string(),
    queue: z.string(),
    name: z.string(),
    runId: z.string().nullable(),
    stage: z.string().nullable(),
    data: z.unknown(),
    attemptsMade: z.number().int(),
    failedReason: z.string(),
    failedAt: z.string().nullable(),
  })
  .meta({ id: 'DeadLetter' });

export function registerQueueRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry, pipeline } = deps;

  routes.add({
    method: 'get',
    path: '/queues',
    summary: 'Depth of every queue (waiting, active, delayed, failed, completed)',
    tag: 'queues',
    response: z.object({ items: z.array(statSchema) }),
    handler: async () => ({ items: await pipeline.queueStats() }),
  });

  // Public like /metrics: an autoscaler (KEDA's metrics-api trigger) polls it without a key, and
  // it reveals counts only.
  routes.add({
    method: 'get',
    path: '/queues/:queue/backlog',
    summary: 'Jobs a worker of the queue could take: waiting + prioritized + delayed (for autoscalers)',
    tag: 'queues',
    role: 'public',
    params: z.object({ queue: z.enum(QUEUE_NAMES) }),
    response: z.object({
      queue: z.string(),
      waiting: z.number().int(),
      prioritized: z.number().int(),
      delayed: z.number().int(),
      backlog: z.number().int(),
    }),
    handler: async ({ params }) => pipeline.queueBacklog(params.queue),
  });

  routes.add({
    method: 'get',
    path: '/queues/failed',
    summary: 'Failed jobs (the dead letters), newest first',
    tag: 'queues',
    query: z.object({
      queue: z.enum(QUEUE_NAMES).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    response: z.object({ items: z.array(deadLetterSchema) }),
    handler: async ({ query }) => ({
      items: await pipeline.listFailedJobs({
        limit: query.limit,
        ...(query.queue ? { queue: query.queue } : {}),
      }),
    }),
  });

  routes.add({
    method: 'post',
    path: '/queues/failed/:jobId/redrive',
    summary: 'Put a failed job back on its queue',
    tag: 'queues',
    params: z.object({
      jobId: z
        .string()
        .min(1)
        .max(300)
        .regex(/^[A-Za-z0-9:_.-]+$/, 'a job id as listed by GET /queues/failed'),
    }),
    response: z.object({ jobId: z.string(), runId: z.string().nullable(), fromStage: z.string().nullable() }),
    handler: async ({ req, params }) => {
      const result = await pipeline.redrive(params.jobId);
      await audit(registry, req, {
        action: 'job.redrive',
        entity: 'job',
        entityId: params.jobId,
        after: result,
      });
      return { jobId: params.jobId, ...result };
    },
  });
}
