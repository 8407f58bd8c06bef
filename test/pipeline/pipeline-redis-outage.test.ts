/**
 * Redis going away under running workers (a restart without persistence lost nothing here:
 * the connection drops and comes back): the workers' Redis goes through a TCP proxy that is cut
 * mid-train and restored. Training goes on meanwhile; BullMQ reconnects; the job whose end
 * could not be recorded while Redis was away comes back as stalled, and the idempotent stage
 * returns its recorded output. The run completes with every stage's output recorded once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, startWorkers, type Pipeline, type WorkerGroup } from '@lathe/queues';
import { getRunWithStages } from '@lathe/registry';
import { startTcpProxy, type TcpProxy } from '../harness/index.ts';
import { FAST_JOBS, createPipelineFixture, waitFor, waitForRun, type PipelineFixture } from './support.ts';
import { callsOf, epochsRun, testHandlers } from './fixtures/test-handlers.ts';

let fx: PipelineFixture;
let proxy: TcpProxy;
let workerPipeline: Pipeline;
let workers: WorkerGroup;

beforeAll(async () => {
  fx = await createPipelineFixture('redisoutage');
  const server = new URL(fx.redis.redisUrl);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  workerPipeline = createPipeline({ registry: fx.db.registry, connection: proxy.urlThrough(fx.redis.redisUrl), prefix: fx.redis.prefix, jobs: FAST_JOBS, codeVersion: 'test' });
  workers = await startWorkers({ pipeline: workerPipeline, stages: ['ingest', 'train', 'evaluate', 'deploy'], handlers: testHandlers, stalledIntervalMs: 500 });
});
afterAll(async () => {
  await proxy?.restore();
  await workers?.close();
  await workerPipeline?.close();
  await proxy?.close();
  await fx.close();
});

describe('a Redis outage under running workers', () => {
  it('reconnects, and the run completes with each stage output recorded once', async () => {
    const experiment = await fx.experiment({ epochs: 6, epochMs: 150, registerModel: true });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    await waitFor('train under way', async () => (epochsRun.get(run.id) ?? 0) >= 2);

    await proxy.cut();
    // Training goes on without Redis (progress events are transport only; Postgres is up)...
    await waitFor('every epoch run while Redis is away', async () => (epochsRun.get(run.id) ?? 0) >= 6, 10_000);
    // ...and its end cannot reach Redis: the job's lock (2 s) lapses meanwhile.
    await sleep(2_500);
    await proxy.restore();

    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed'], 60_000);
    expect(done.status).toBe('succeeded');
    const stages = (await getRunWithStages(fx.db.registry, run.id)).stages;
    expect(stages.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(callsOf(run.id, 'ingest')).toBe(1);
    // The train job whose end was lost came back as stalled and found its output recorded:
    // started twice, its handler run once.
    const trainJob = await fx.pipeline.queues.train.getJob(`run-${run.id}-train`);
    expect(trainJob!.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(callsOf(run.id, 'train')).toBe(1);
    expect(await fx.db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(1);
    expect(await fx.db.registry.datasetVersion.count({ where: { datasetId: fx.datasetId } })).toBe(1);
  }, 90_000);
});
