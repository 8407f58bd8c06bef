/**
 * The `scoring` queue: batch scoring jobs. The API enqueues one job per ScoringJob row (job id
 * `scoring-<id>`, so a repeated request cannot queue it twice); a worker in the evaluate service
 * runs the processor. Payloads carry the row's id only, like stage jobs.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Closer, Logger } from '@lathe/core';
import { LATHE_BACKOFF } from './backoff.ts';
import { SCORING_QUEUE, type ScoringPayload, scoringPayloadSchema } from './catalog.ts';
import { connectRedis } from './connection.ts';
import { LATHE_SPAN_ATTRIBUTES, startEnqueueSpan, traceJobAttempt } from './job-tracing.ts';
import type { Pipeline } from './pipeline.ts';
import { instrumentWorker } from './queue-metrics.ts';
import { closeWorkers, createActiveJobs } from './worker-close.ts';
import { stageWorkerOptions } from './workers.ts';

export function scoringJobId(scoringJobId: string): string {
  return `scoring-${scoringJobId}`;
}

export async function enqueueScoringJob(
  pipeline: Pick<Pipeline, 'queues' | 'specs'>,
  scoringJobIdValue: string,
): Promise<void> {
  const spec = pipeline.specs.scoring;
  const jobId = scoringJobId(scoringJobIdValue);
  const span = startEnqueueSpan(SCORING_QUEUE, jobId, {
    [LATHE_SPAN_ATTRIBUTES.scoringJobId]: scoringJobIdValue,
  });
  const payload: ScoringPayload = {
    scoringJobId: scoringJobIdValue,
    ...(span.trace ? { trace: span.trace } : {}),
  };
  try {
    await pipeline.queues[SCORING_QUEUE].add('scoring', payload, {
      jobId,
      attempts: spec.attempts,
      backoff: { type: LATHE_BACKOFF, delay: spec.backoff.baseMs },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: false,
    });
    span.end();
  } catch (error) {
    span.end(error);
    throw error;
  }
}

/** Runs `score` for each scoring job; an error with `permanent: true` is not retried. */
export async function startScoringWorker(options: {
  pipeline: Pick<Pipeline, 'connection' | 'prefix' | 'specs'>;
  logger: Logger;
  score: (payload: ScoringPayload) => Promise<unknown>;
  concurrency?: number;
  /** Observe job durations, failures and stalls here (the process's metrics registry). */
  metricsRegistry?: MetricsRegistry;
}): Promise<Closer & { worker: Worker; ping(): Promise<boolean> }> {
  const { pipeline, logger } = options;
  const connection = connectRedis(pipeline.connection, 'lathe-worker-scoring');
  const activeJobs = createActiveJobs();
  const worker = new Worker(
    SCORING_QUEUE,
    (job) =>
      activeJobs.track(
        traceJobAttempt(
          job,
          SCORING_QUEUE,
          typeof job.data?.scoringJobId === 'string'
            ? { [LATHE_SPAN_ATTRIBUTES.scoringJobId]: job.data.scoringJobId as string }
            : {},
          async () => {
            const parsed = scoringPayloadSchema.safeParse(job.data);
            if (!parsed.success)
              throw new UnrecoverableError(`invalid scoring payload: ${parsed.error.message}`);
            try {
              return await options.score(parsed.data);
            } catch (error) {
              if ((error as { permanent?: boolean }).permanent)
                throw new UnrecoverableError((error as Error).message);
              throw error;
            }
          },
        ),
      ),
    stageWorkerOptions(pipeline.specs, 'scoring', {
      connection,
      prefix: pipeline.prefix,
      concurrency: options.concurrency ?? pipeline.specs.scoring.concurrency,
    }),
  );
  worker.on('error', (error) => logger.error({ err: error, queue: SCORING_QUEUE }, 'worker error'));
  if (options.metricsRegistry) instrumentWorker(worker, options.metricsRegistry);
  worker.on('failed', (job, error) =>
    logger.warn({ queue: SCORING_QUEUE, jobId: job?.id, err: error }, 'scoring job failed'),
  );
  await worker.waitUntilReady();
  return {
    name: 'scoring-worker',
    worker,
    ping: async () => (await connection.ping()) === 'PONG',
    async close() {
      await closeWorkers([worker], activeJobs, logger);
      connection.disconnect();
    },
  };
}
