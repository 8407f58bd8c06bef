/**
 * The backlog of one queue: the jobs a worker could pick up now or soon. BullMQ keeps them in
 * three structures (the `wait` list, the `prioritized` sorted set and the `delayed` sorted set),
 * so the length of one Redis list under-counts it; an autoscaler reads this sum instead (KEDA's
 * metrics-api trigger, infra/k8s). Jobs waiting for their children are not counted: no worker of
 * this queue can take them until an earlier stage finishes.
 */
import type { Queue } from 'bullmq';

export interface QueueBacklog {
  queue: string;
  waiting: number;
  prioritized: number;
  delayed: number;
  /** waiting + prioritized + delayed. */
  backlog: number;
}

export async function readQueueBacklog(queue: Queue): Promise<QueueBacklog> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
  const waiting = counts.waiting ?? 0;
  const prioritized = counts.prioritized ?? 0;
  const delayed = counts.delayed ?? 0;
  return { queue: queue.name, waiting, prioritized, delayed, backlog: waiting + prioritized + delayed };
}
