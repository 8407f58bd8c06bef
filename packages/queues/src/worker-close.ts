/**
 * Closing BullMQ workers so that a shutdown always ends once the last job has.
 *
 * BullMQ's graceful close waits for the active jobs, then for its blocking connection's 'end'
 * event. After a Redis outage that connection can sit in ioredis' "reconnecting" state, where
 * 'end' never comes and close() never resolves (BullMQ issues #4065, #4656). So the caller's
 * own jobs are waited for (tracked by `createActiveJobs`), BullMQ gets a bounded moment more,
 * and otherwise the caller ends the connections itself.
 */
import type { Worker } from 'bullmq';
import type { Logger } from '@lathe/core';

/** How long BullMQ may take to close once no job is active (it needs milliseconds when healthy). */
const CLOSE_AFTER_LAST_JOB_MS = 5_000;

export interface ActiveJobs {
  /** Wraps a processor's promise: the job counts as active until it settles. */
  track<T>(job: Promise<T>): Promise<T>;
  settled(): Promise<void>;
}

export function createActiveJobs(): ActiveJobs {
  const active = new Set<Promise<unknown>>();
  return {
    track(job) {
      active.add(job);
      job.then(
        () => active.delete(job),
        () => active.delete(job),
      );
      return job;
    },
    async settled() {
      // A job fetched just before close began may start a moment later: look again.
      while (active.size > 0) await Promise.allSettled([...active]);
    },
  };
}

/** Closes the workers gracefully; resolves once their jobs ended and BullMQ closed or took too long. */
export async function closeWorkers(workers: Worker[], active: ActiveJobs, logger: Logger): Promise<void> {
  const open = new Set(workers.map((w) => w.name));
  const closing = Promise.allSettled(workers.map((w) => w.close().finally(() => open.delete(w.name))));
  await active.settled();
  if (!(await settlesWithin(closing, CLOSE_AFTER_LAST_JOB_MS)))
    logger.warn(
      { queues: [...open], waitedMs: CLOSE_AFTER_LAST_JOB_MS },
      'BullMQ did not finish closing after the last job ended; ending its connections',
    );
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
