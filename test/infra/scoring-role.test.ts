/**
 * The batch scoring worker as a process of its own (the image's `scoring` role, one Deployment
 * on Kubernetes, one Compose service): it consumes the scoring queue, answers /healthz with that
 * queue's worker and /metrics, and traces each attempt as the child of the span that enqueued
 * the job (its traceparent in the payload), exported to OTLP when configured.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '@lathe/core';
import { SCORING_QUEUE, createPipeline, enqueueScoringJob, scoringJobId, type Pipeline } from '@lathe/queues';
import {
  createTestDatabase,
  createTestRedis,
  startLatheProcess,
  type LatheProcess,
  type TestDatabase,
  type TestRedis,
} from '../harness/index.ts';
import { OTLP_SPAN_KIND, startOtlpReceiver, type OtlpReceiver } from '../harness/otlp-receiver.ts';
import { waitFor } from '../pipeline/support.ts';

let db: TestDatabase;
let redis: TestRedis;
let pipeline: Pipeline;
let receiver: OtlpReceiver;
let tracing: Tracing;
let scoring: LatheProcess | undefined;

beforeAll(async () => {
  db = await createTestDatabase('scoring-role');
  redis = createTestRedis('scoring-role');
  receiver = await startOtlpReceiver();
  tracing = await startTracing({
    url: receiver.url,
    headers: {},
    serviceName: 'lathe-test',
    resourceAttributes: {},
    sampleRatio: 1,
    exportDelayMs: 50,
  });
  pipeline = createPipeline({ registry: db.registry, connection: redis.redisUrl, prefix: redis.prefix });
  scoring = await startLatheProcess('scoring', {
    databaseUrl: db.schemaUrl,
    redisUrl: redis.redisUrl,
    queuePrefix: redis.prefix,
    artifactDir: mkdtempSync(join(tmpdir(), 'lathe-scoring-role-')),
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace(/\/v1\/traces$/, '') },
  });
}, 120_000);

afterAll(async () => {
  await scoring?.stop();
  await tracing?.close();
  await pipeline?.close();
  await redis?.cleanup();
  await db?.drop();
  await receiver?.close();
});

describe('the scoring role', () => {
  it('runs the scoring queue only, healthy, with metrics', async () => {
    const health = await fetch(`${scoring!.url}/healthz`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as {
      ok: boolean;
      workers: Array<{ queue: string; running: boolean }>;
    };
    expect(body).toMatchObject({ ok: true, workers: [{ queue: SCORING_QUEUE, running: true }] });
    const metrics = await fetch(`${scoring!.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('service="scoring-worker"');
  });

  it('takes a scoring job and traces its attempt as the child of the enqueue span', async () => {
    // No ScoringJob row behind it: the attempt fails for good, and its span says so.
    const id = randomUUID();
    await enqueueScoringJob(pipeline, id);
    const job = await pipeline.queues[SCORING_QUEUE].getJob(scoringJobId(id));
    expect(job?.data).toMatchObject({ scoringJobId: id, trace: { traceparent: expect.any(String) } });
    await waitFor('the scoring job to fail', async () => (await job!.getState()) === 'failed', 30_000);
    // Counted as the stage workers count theirs, so the failed-jobs alert covers scoring too.
    const metrics = await (await fetch(`${scoring!.url}/metrics`)).text();
    expect(metrics).toMatch(/lathe_job_failures_total\{[^}]*queue="scoring"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/lathe_job_duration_seconds_count\{[^}]*outcome="failed"[^}]*\} [1-9]/);
    await tracing.flush();
    const producer = await waitFor('the enqueue span', async () =>
      receiver.spans.find(
        (s) => s.kind === OTLP_SPAN_KIND.producer && s.attributes['lathe.scoring_job.id'] === id,
      ),
    );
    await scoring!.stop(); // SIGTERM flushes the process's spans
    const consumer = receiver.spans.find(
      (s) => s.kind === OTLP_SPAN_KIND.consumer && s.attributes['lathe.scoring_job.id'] === id,
    );
    expect(consumer).toMatchObject({
      service: 'scoring-worker',
      name: `process ${SCORING_QUEUE}`,
      traceId: producer.traceId,
      parentSpanId: producer.spanId,
      statusCode: 2,
      attributes: { 'messaging.destination.name': SCORING_QUEUE, 'lathe.attempt': 1 },
    });
  });
});
