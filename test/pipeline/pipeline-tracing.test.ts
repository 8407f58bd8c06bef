/**
 * One run, one trace: the API request that starts a run, a producer span per stage job it
 * enqueues (its W3C traceparent in the job's payload) and a consumer span per stage attempt in
 * the workers, each the child of its job's producer span. The spans are exported for real, by
 * the OTLP/HTTP exporter that `startTracing` sets up from a process's configuration, to a
 * receiver in this test. Without tracing, payloads carry no trace context at all.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, tracingConfigFromEnv, type Tracing } from '@lathe/core';
import {
  SCHEDULE_QUEUE,
  STAGE_QUEUES,
  createPipeline,
  stageJobId,
  startWorkers,
  type Pipeline,
  type StageHandler,
  type WorkerGroup,
} from '@lathe/queues';
import {
  STAGES,
  createExperiment,
  createSchedule,
  ensureDataset,
  registerDatasetVersion,
  updateSchedule,
  type Stage,
} from '@lathe/registry';
import { startTestApi, type TestApi } from '../api/api-harness.ts';
import { deployNothing, ingestExisting, recordedVerdict, registerUntrainedModel } from '../harness/index.ts';
import {
  OTLP_SPAN_KIND,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../harness/otlp-receiver.ts';
import { FAST_JOBS, waitFor, waitForRun } from './support.ts';

let api: TestApi;
let receiver: OtlpReceiver;
let workerPipeline: Pipeline;
let workers: WorkerGroup;
let tracing: Tracing | undefined;
let datasetVersionId: string;
/** Train that fails its first attempt when the experiment says so (a retried stage: two attempts, one job). */
const flakyTrain: StageHandler<'train'> = async (ctx) => {
  if (ctx.hyperparameters.failFirstTrain && ctx.attempt === 1) throw new Error('first train attempt fails');
  return registerUntrainedModel(ctx);
};

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  api = await startTestApi('tracing');
  const dataset = await ensureDataset(api.db.registry, { name: 'ds-tracing', useCase: 'tabular' });
  const { version } = await registerDatasetVersion(api.db.registry, {
    datasetId: dataset.id,
    sha256: 'e'.repeat(64),
    uri: 'memory://tracing',
    format: 'csv',
    rows: 10,
    sizeBytes: 10,
    schema: {},
    source: { kind: 'test' },
  });
  datasetVersionId = version.id;
  // The workers' own pipeline (short backoffs), on the API's database and queue prefix.
  workerPipeline = createPipeline({
    registry: api.db.registry,
    connection: api.redis.redisUrl,
    prefix: api.redis.prefix,
    jobs: FAST_JOBS,
  });
  workers = await startWorkers({
    pipeline: workerPipeline,
    stages: [...STAGES],
    handlers: {
      ingest: ingestExisting(() => datasetVersionId),
      train: flakyTrain,
      evaluate: recordedVerdict(),
      deploy: deployNothing,
    },
    schedules: true,
  });
});

afterAll(async () => {
  await workers?.close();
  await workerPipeline?.close();
  await tracing?.close();
  await api?.close();
  await receiver?.close();
});

async function startRunOverHttp(hyperparameters: Record<string, unknown> = {}): Promise<string> {
  const experiment = await createExperiment(api.db.registry, {
    name: `exp-${randomUUID().slice(0, 8)}`,
    useCase: 'tabular',
    modelFamily: 'mlp',
    hyperparameters: hyperparameters as never,
    datasetId: (await api.db.registry.datasetVersion.findUniqueOrThrow({ where: { id: datasetVersionId } }))
      .datasetId,
    gate: [],
    rolloutPolicy: {},
  });
  const response = await api.request('POST', `/experiments/${experiment.id}/runs`, { body: {} });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

const stageJobData = async (runId: string, stage: Stage) =>
  (await api.pipeline.queues[STAGE_QUEUES[stage]].getJob(stageJobId(runId, stage)))?.data as
    Record<string, unknown> | undefined;

describe('tracing', () => {
  it('is off without an endpoint: no exporter, and stage payloads carry only the run id', async () => {
    expect(tracingConfigFromEnv({ LATHE_TRACE_SAMPLE_RATIO: 1 }, 'api')).toBeNull();
    const off = await startTracing(null);
    expect(off.enabled).toBe(false);
    const runId = await startRunOverHttp();
    const done = await waitForRun(api.pipeline, runId, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    for (const stage of STAGES) expect(await stageJobData(runId, stage)).toEqual({ runId });
    expect(receiver.spans).toEqual([]);
  });

  it('exports one trace per run: API request → an enqueue span per stage → each attempt of the stage', async () => {
    const config = tracingConfigFromEnv(
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=lathe-test',
        LATHE_TRACE_SAMPLE_RATIO: 1,
        LATHE_CODE_VERSION: 'test',
      },
      'lathe-test',
    );
    expect(config).not.toBeNull();
    tracing = await startTracing({ ...config!, exportDelayMs: 50 });

    const startedRunId = await startRunOverHttp({ failFirstTrain: true });
    const done = await waitForRun(api.pipeline, startedRunId, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    await tracing.flush();

    const ofRun = (s: ReceivedSpan) => s.attributes['lathe.run.id'] === startedRunId;
    const consumers = await waitFor(
      'every stage attempt’s consumer span',
      async () => {
        await tracing!.flush();
        const found = receiver.spans.filter((s) => s.kind === OTLP_SPAN_KIND.consumer && ofRun(s));
        return found.length >= STAGES.length + 1 ? found : null;
      },
      10_000,
    );
    expect(receiver.refused).toBe(0);

    // The API's request span: the route, not the URL, and the root of the run's trace.
    const server = receiver.spans.find(
      (s) => s.kind === OTLP_SPAN_KIND.server && s.name === 'POST /experiments/:id/runs',
    );
    expect(server).toBeDefined();
    expect(server!.parentSpanId).toBe('');
    expect(server!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/experiments/:id/runs',
      'http.response.status_code': 201,
    });
    const trace = receiver.spans.filter((s) => s.traceId === server!.traceId);

    // One producer span per stage job, each a child of the request span; its context is the
    // traceparent stored in that job's payload.
    const producers = trace.filter((s) => s.kind === OTLP_SPAN_KIND.producer);
    expect(producers.map((s) => s.attributes['lathe.stage']).sort()).toEqual([...STAGES].sort());
    for (const stage of STAGES) {
      const producer = producers.find((s) => s.attributes['lathe.stage'] === stage)!;
      expect(producer.parentSpanId).toBe(server!.spanId);
      expect(producer.name).toBe(`send ${STAGE_QUEUES[stage]}`);
      expect(producer.attributes).toMatchObject({
        'lathe.run.id': startedRunId,
        'messaging.system': 'bullmq',
        'messaging.destination.name': STAGE_QUEUES[stage],
        'messaging.message.id': stageJobId(startedRunId, stage),
      });
      const data = await stageJobData(startedRunId, stage);
      expect(data).toEqual({
        runId: startedRunId,
        trace: { traceparent: `00-${server!.traceId}-${producer.spanId}-01` },
      });
    }

    // Every attempt of every stage: a consumer span in the same trace, the child of its job's
    // producer span. Train failed once: two attempts, the first marked as an error.
    expect(consumers.every((s) => s.traceId === server!.traceId)).toBe(true);
    for (const stage of STAGES) {
      const producer = producers.find((s) => s.attributes['lathe.stage'] === stage)!;
      const attempts = consumers
        .filter((s) => s.attributes['lathe.stage'] === stage)
        .sort((a, b) => Number(a.attributes['lathe.attempt']) - Number(b.attributes['lathe.attempt']));
      expect(attempts.map((s) => s.attributes['lathe.attempt'])).toEqual(stage === 'train' ? [1, 2] : [1]);
      for (const attempt of attempts) {
        expect(attempt.parentSpanId).toBe(producer.spanId);
        expect(attempt.name).toBe(`process ${STAGE_QUEUES[stage]}`);
        expect(attempt.service).toBe('lathe-test');
        expect(attempt.attributes).toMatchObject({
          'lathe.run.id': startedRunId,
          'lathe.stage': stage,
          'messaging.destination.name': STAGE_QUEUES[stage],
          'messaging.message.id': stageJobId(startedRunId, stage),
        });
      }
      expect(attempts.at(-1)!.attributes['lathe.outcome']).toBe('succeeded');
      expect(attempts.at(-1)!.statusCode).not.toBe(2);
      if (stage === 'train') expect(attempts[0]!.statusCode).toBe(2);
    }
  });

  it('traces a scheduled run from its tick: the tick’s consumer span is the parent of the run’s enqueue spans', async () => {
    const experiment = await createExperiment(api.db.registry, {
      name: `exp-${randomUUID().slice(0, 8)}`,
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: {} as never,
      datasetId: (await api.db.registry.datasetVersion.findUniqueOrThrow({ where: { id: datasetVersionId } }))
        .datasetId,
      gate: [],
      rolloutPolicy: {},
    });
    const schedule = await createSchedule(api.db.registry, {
      experimentId: experiment.id,
      cron: '* * * * * *',
    });
    await api.pipeline.syncSchedule(schedule.id);
    const run = await waitFor('a scheduled run', () =>
      api.db.registry.run.findFirst({ where: { scheduleId: schedule.id } }),
    );
    await updateSchedule(api.db.registry, schedule.id, { enabled: false });
    await api.pipeline.syncSchedule(schedule.id);
    expect((await waitForRun(api.pipeline, run.id, ['succeeded', 'failed'])).status).toBe('succeeded');

    // More ticks may have fired (and started or skipped runs): the run's own tick is the parent
    // of its enqueue spans.
    const traced = await waitFor(
      'the scheduled run’s spans',
      async () => {
        await tracing!.flush();
        const ofRun = (kind: number) =>
          receiver.spans.filter((s) => s.kind === kind && s.attributes['lathe.run.id'] === run.id);
        const producers = ofRun(OTLP_SPAN_KIND.producer);
        const consumers = ofRun(OTLP_SPAN_KIND.consumer);
        const tick = receiver.spans.find((s) => s.spanId === producers[0]?.parentSpanId);
        return tick && producers.length === STAGES.length && consumers.length === STAGES.length
          ? { tick, producers, consumers }
          : null;
      },
      10_000,
    );
    expect(traced.tick).toMatchObject({
      kind: OTLP_SPAN_KIND.consumer,
      name: `process ${SCHEDULE_QUEUE}`,
      parentSpanId: '',
      attributes: {
        'lathe.schedule.id': schedule.id,
        'lathe.outcome': 'started',
        'messaging.destination.name': SCHEDULE_QUEUE,
      },
    });
    for (const producer of traced.producers) {
      expect(producer).toMatchObject({ traceId: traced.tick.traceId, parentSpanId: traced.tick.spanId });
      const consumer = traced.consumers.find(
        (s) => s.attributes['lathe.stage'] === producer.attributes['lathe.stage'],
      );
      expect(consumer).toMatchObject({ traceId: traced.tick.traceId, parentSpanId: producer.spanId });
    }
  });
});
