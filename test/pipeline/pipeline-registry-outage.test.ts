/**
 * Postgres going away under running workers (a restart, a failover) and coming back: the
 * workers' registry goes through a TCP proxy that is cut mid-train and restored seconds later,
 * far longer than the job's whole retry budget. The stage job is parked (delayed, attempts
 * untouched) instead of burning its attempts on writes that cannot happen, and the run
 * completes once Postgres is back, each stage's output recorded once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, startWorkers, type Pipeline, type WorkerGroup } from '@lathe/queues';
import { createRegistry, getRunWithStages, type Registry } from '@lathe/registry';
import { startTcpProxy, type TcpProxy } from '../harness/index.ts';
import { FAST_JOBS, createPipelineFixture, waitFor, waitForRun, type PipelineFixture } from './support.ts';
import { callsOf, epochsRun, testHandlers } from './fixtures/test-handlers.ts';

let fx: PipelineFixture;
let proxy: TcpProxy;
let workerRegistry: Registry;
let workerPipeline: Pipeline;
let workers: WorkerGroup;

beforeAll(async () => {
  fx = await createPipelineFixture('pgoutage');
  const server = new URL(fx.db.databaseUrl);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  workerRegistry = createRegistry({ databaseUrl: proxy.urlThrough(fx.db.databaseUrl), schema: fx.db.schema, maxConnections: 3, hotPathConnections: 2, connectTimeoutMs: 1_000 });
  workerPipeline = createPipeline({ registry: workerRegistry, connection: fx.redis.redisUrl, prefix: fx.redis.prefix, jobs: FAST_JOBS, codeVersion: 'test' });
  workers = await startWorkers({ pipeline: workerPipeline, stages: ['ingest', 'train', 'evaluate', 'deploy'], handlers: testHandlers });
});
afterAll(async () => {
  await workers?.close();
  await workerPipeline?.close();
  await workerRegistry?.$disconnect();
  await proxy?.close();
  await fx.close();
});

describe('a Postgres outage under running workers', () => {
  it('parks the active stage without spending its attempts, and the run completes once Postgres is back', async () => {
    const experiment = await fx.experiment({ epochs: 6, epochMs: 100, registerModel: true });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    await waitFor('train under way', async () => (epochsRun.get(run.id) ?? 0) >= 2);

    await proxy.cut();
    // Train has 3 attempts 20–100 ms apart (FAST_JOBS): failing, it would have spent them all
    // many times over.
    await sleep(2_500);
    const trainJob = await fx.pipeline.queues.train.getJob(`run-${run.id}-train`);
    expect(trainJob).toBeDefined();
    expect(await trainJob!.getState()).toBe('delayed');
    expect(trainJob!.attemptsMade).toBe(0);
    // Postgres (reached directly) still says what it said when the outage began.
    const during = await getRunWithStages(fx.db.registry, run.id);
    expect([during.status, during.stage]).toEqual(['running', 'train']);
    expect(during.stages.find((s) => s.stage === 'train')!.status).toBe('running');

    await proxy.restore();
    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed'], 60_000);
    expect(done.status).toBe('succeeded');
    const stages = (await getRunWithStages(fx.db.registry, run.id)).stages;
    expect(stages.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(callsOf(run.id, 'ingest')).toBe(1);
    // The interrupted train ran again (its output had not been recorded) and registered one model.
    expect(callsOf(run.id, 'train')).toBeGreaterThanOrEqual(2);
    expect(await fx.db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(1);
    expect(await fx.db.registry.datasetVersion.count({ where: { datasetId: fx.datasetId } })).toBe(1);
    // No attempt was spent on the outage.
    expect(stages.find((s) => s.stage === 'train')!.errorCode).toBeNull();
    expect((await fx.pipeline.queues.train.getJob(`run-${run.id}-train`))?.attemptsMade).toBe(1);
  }, 90_000);
});
