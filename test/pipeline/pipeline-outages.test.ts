/**
 * Postgres or Redis going away under running workers (a restart, a failover) and coming back.
 * The workers reach both through TCP proxies that are cut mid-train and restored, while the test
 * itself reads Postgres directly:
 *   - Postgres away for longer than the job's whole retry budget: the stage job is parked
 *     (delayed, attempts untouched) instead of burning its attempts on writes that cannot
 *     happen;
 *   - Redis away: training goes on, BullMQ reconnects, and the job whose end could not be
 *     recorded comes back as stalled and finds its output recorded.
 * Either way the run completes, each stage's output recorded once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, startWorkers, type Pipeline, type WorkerGroup } from '@lathe/queues';
import { createRegistry, getRunWithStages, type Registry } from '@lathe/registry';
import { startTcpProxy, type TcpProxy } from '../harness/index.ts';
import { FAST_JOBS, createPipelineFixture, waitFor, waitForRun, type PipelineFixture } from './support.ts';
import { callsOf, epochsRun, testHandlers } from './fixtures/test-handlers.ts';

let fx: PipelineFixture;
let postgres: TcpProxy;
let redis: TcpProxy;
let workerRegistry: Registry;
let workerPipeline: Pipeline;
let workers: WorkerGroup;

const proxyTo = (url: string) =>
  startTcpProxy({ host: new URL(url).hostname, port: Number(new URL(url).port) });

beforeAll(async () => {
  fx = await createPipelineFixture('outages');
  postgres = await proxyTo(fx.db.databaseUrl);
  redis = await proxyTo(fx.redis.redisUrl);
  workerRegistry = createRegistry({
    databaseUrl: postgres.urlThrough(fx.db.databaseUrl),
    schema: fx.db.schema,
    maxConnections: 3,
    hotPathConnections: 2,
    connectTimeoutMs: 1_000,
  });
  workerPipeline = createPipeline({
    registry: workerRegistry,
    connection: redis.urlThrough(fx.redis.redisUrl),
    prefix: fx.redis.prefix,
    jobs: FAST_JOBS,
    codeVersion: 'test',
  });
  workers = await startWorkers({
    pipeline: workerPipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: testHandlers,
    stalledIntervalMs: 500,
  });
});
afterAll(async () => {
  await postgres?.restore();
  await redis?.restore();
  await workers?.close();
  await workerPipeline?.close();
  await workerRegistry?.$disconnect();
  await postgres?.close();
  await redis?.close();
  await fx.close();
});

/** Starts a run whose train walks 6 epochs and registers a model; resolves once train is under way. */
async function runIntoTrain(): Promise<string> {
  // Uncached: each run trains for real, not from the previous test's output.
  const experiment = await fx.experiment({ epochs: 6, epochMs: 150 }, { cacheEnabled: false });
  const run = await fx.pipeline.startRun({ experimentId: experiment.id });
  await waitFor('train under way', async () => (epochsRun.get(run.id) ?? 0) >= 2);
  return run.id;
}

async function expectCompletedOnce(runId: string): Promise<void> {
  const done = await waitForRun(fx.pipeline, runId, ['succeeded', 'failed'], 60_000);
  expect(done.status).toBe('succeeded');
  const stages = (await getRunWithStages(fx.db.registry, runId)).stages;
  expect(stages.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  expect(callsOf(runId, 'ingest')).toBe(1);
  expect(await fx.db.registry.modelVersion.count({ where: { runId } })).toBe(1);
  // Ingest reused the dataset's version: an outage never adds another.
  expect(await fx.db.registry.datasetVersion.count({ where: { datasetId: fx.datasetId } })).toBe(1);
}

const trainJob = (runId: string) => fx.pipeline.queues.train.getJob(`run-${runId}-train`);

describe('outages under running workers', () => {
  it('Postgres away: parks the active stage without spending its attempts, and the run completes once it is back', async () => {
    const runId = await runIntoTrain();
    await postgres.cut();
    // Train has 3 attempts 20–100 ms apart (FAST_JOBS): failing, it would have spent them all
    // many times over (it did, before jobs were parked).
    await sleep(2_500);
    // Between two parks the job is briefly active again (it tries, Postgres refuses): wait for
    // it to be back in the delayed set.
    const parked = await waitFor('train parked', async () => {
      const job = await trainJob(runId);
      return job && (await job.getState()) === 'delayed' ? job : null;
    });
    expect(parked.attemptsMade).toBe(0);
    // Postgres still says what it said when the outage began.
    const during = await getRunWithStages(fx.db.registry, runId);
    expect([during.status, during.stage, during.stages.find((s) => s.stage === 'train')!.status]).toEqual([
      'running',
      'train',
      'running',
    ]);

    await postgres.restore();
    await expectCompletedOnce(runId);
    // The interrupted train ran again (its output had not been recorded); no attempt was spent.
    expect(callsOf(runId, 'train')).toBeGreaterThanOrEqual(2);
    expect((await trainJob(runId))!.attemptsMade).toBe(1);
    expect(
      (await getRunWithStages(fx.db.registry, runId)).stages.find((s) => s.stage === 'train')!.errorCode,
    ).toBeNull();
  }, 90_000);

  it('Redis away: training goes on, and the job whose end was lost comes back stalled and finds its output recorded', async () => {
    const runId = await runIntoTrain();
    await redis.cut();
    // Progress events are transport only: every epoch runs without Redis (Postgres is up)...
    await waitFor(
      'every epoch run while Redis is away',
      async () => (epochsRun.get(runId) ?? 0) >= 6,
      10_000,
    );
    // ...and the job's end cannot reach Redis: its lock (2 s) lapses meanwhile.
    await sleep(2_500);
    await redis.restore();

    await expectCompletedOnce(runId);
    expect((await trainJob(runId))!.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(callsOf(runId, 'train')).toBe(1);
  }, 90_000);
});
