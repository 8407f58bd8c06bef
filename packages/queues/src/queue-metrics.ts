/**
 * Prometheus metrics of the queues: depth, active and failed jobs per queue (read from Redis at
 * scrape time, so any process can expose them) and the duration of jobs (observed by workers).
 * Labels: `queue` and `stage` (the stage a queue serves; `schedule` for the tick queue).
 */
import type { Job, Queue, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry as MetricsRegistry } from 'prom-client';

function stageOf(queueName: string): string {
  return queueName === 'schedules' ? 'schedule' : queueName;
}

export function registerQueueMetrics(registry: MetricsRegistry, queues: Queue[]): void {
  const labelNames = ['queue', 'stage'] as const;
  const collectCounts = async () =>
    Promise.all(queues.map(async (q) => ({ q, counts: await q.getJobCounts() })));
  let pending: Promise<Awaited<ReturnType<typeof collectCounts>>> | null = null;
  // One Redis round per scrape, shared by the three gauges.
  const counts = () => {
    pending ??= collectCounts().finally(() => setTimeout(() => (pending = null), 0));
    return pending;
  };
  const gauge = (name: string, help: string, value: (c: Record<string, number>) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        for (const { q, counts: c } of await counts())
          this.set({ queue: q.name, stage: stageOf(q.name) }, value(c));
      },
    });
  gauge(
    'lathe_queue_depth',
    'Jobs waiting to run (waiting, delayed, prioritized, waiting for children)',
    (c) => (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
  );
  gauge('lathe_queue_active', 'Jobs being processed', (c) => c.active ?? 0);
  gauge('lathe_queue_failed', 'Failed jobs kept for the dead-letter view', (c) => c.failed ?? 0);
}

export function createJobDurationHistogram(
  registry: MetricsRegistry,
): Histogram<'queue' | 'stage' | 'outcome'> {
  const existing = registry.getSingleMetric('lathe_job_duration_seconds');
  if (existing) return existing as Histogram<'queue' | 'stage' | 'outcome'>;
  return new Histogram({
    name: 'lathe_job_duration_seconds',
    help: 'Wall time of one job attempt, by queue, stage and outcome',
    labelNames: ['queue', 'stage', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
}

export { stageOf as metricStageOfQueue };

/**
 * What a worker sees go wrong: a failed attempt by its error code (a `gate_failed` evaluate,
 * an `artifact_store_full` train), and a job found stalled (its worker died or blocked the event
 * loop past the lock). Both are counted by the process that observes them.
 */
export function createWorkerFailureCounters(registry: MetricsRegistry): {
  failures: Counter<'queue' | 'stage' | 'code'>;
  stalled: Counter<'queue' | 'stage'>;
} {
  const failures =
    (registry.getSingleMetric('lathe_job_failures_total') as Counter<'queue' | 'stage' | 'code'>) ??
    new Counter({
      name: 'lathe_job_failures_total',
      help: 'Failed job attempts by queue, stage and error code',
      labelNames: ['queue', 'stage', 'code'],
      registers: [registry],
    });
  const stalled =
    (registry.getSingleMetric('lathe_jobs_stalled_total') as Counter<'queue' | 'stage'>) ??
    new Counter({
      name: 'lathe_jobs_stalled_total',
      help: 'Jobs found stalled (lock lapsed) and moved back to wait, by queue and stage',
      labelNames: ['queue', 'stage'],
      registers: [registry],
    });
  return { failures, stalled };
}

/** The stable code of a failed attempt: a LatheError's `code`, else the `code: ` prefix the stage runner gives permanent failures. */
export function failureCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code)) return code;
  const prefixed = /^([a-z][a-z0-9_]*): /.exec((error as Error | null)?.message ?? '');
  return prefixed?.[1] ?? 'error';
}

/**
 * A worker's job durations, failures by code and stalls, on the process's metrics registry:
 * every worker (the stage workers, batch scoring) reports alike, so the alerts cover them all.
 */
export function instrumentWorker(worker: Worker, registry: MetricsRegistry): void {
  const histogram = createJobDurationHistogram(registry);
  const counters = createWorkerFailureCounters(registry);
  const labels = { queue: worker.name, stage: stageOf(worker.name) };
  // Zero from the start, so the alerts' increase() sees the first failure.
  counters.stalled.inc(labels, 0);
  counters.failures.inc({ ...labels, code: 'error' }, 0);
  worker.on('failed', (_job, error) => counters.failures.inc({ ...labels, code: failureCodeOf(error) }));
  worker.on('stalled', () => counters.stalled.inc(labels));
  const observe = (job: Job | undefined, outcome: string) => {
    if (job?.processedOn && job.finishedOn)
      histogram.observe({ ...labels, outcome }, (job.finishedOn - job.processedOn) / 1000);
  };
  worker.on('completed', (job) => observe(job, 'completed'));
  worker.on('failed', (job) => observe(job, 'failed'));
}
