/** Queues: depth per queue, failed (dead-letter) jobs, and redrive of a failed job. */
import {
  failedJobsSchema,
  listFailedJobsQuery,
  queueBacklogParams,
  queueBacklogSchema,
  queueStatsSchema,
  redriveParams,
  redriveResultSchema,
} from '@lathe/contract';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';

export function registerQueueRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry, pipeline } = deps;

  routes.add({
    method: 'get',
    path: '/queues',
    summary: 'Depth of every queue (waiting, active, delayed, failed, completed)',
    tag: 'queues',
    response: queueStatsSchema,
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
    params: queueBacklogParams,
    response: queueBacklogSchema,
    handler: async ({ params }) => pipeline.queueBacklog(params.queue),
  });

  routes.add({
    method: 'get',
    path: '/queues/failed',
    summary: 'Failed jobs (the dead letters), newest first',
    tag: 'queues',
    query: listFailedJobsQuery,
    response: failedJobsSchema,
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
    params: redriveParams,
    response: redriveResultSchema,
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
