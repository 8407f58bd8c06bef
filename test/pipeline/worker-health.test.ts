/**
 * A worker process's health endpoint: 200 with each worker's state while Redis answers and the
 * workers run, 503 once they have stopped; the process's metrics at /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Closer } from '@lathe/core';
import { serveHealth, startWorkers, type WorkerGroup } from '@lathe/queues';
import { freePort } from '../harness/index.ts';
import { createPipelineFixture, type PipelineFixture } from './support.ts';
import { testHandlers } from './fixtures/test-handlers.ts';

let fx: PipelineFixture;
let workers: WorkerGroup;
let health: Closer;
let url: string;

beforeAll(async () => {
  fx = await createPipelineFixture('health');
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train'],
    handlers: testHandlers,
    concurrency: 1,
  });
  const port = await freePort();
  health = await serveHealth(workers, { port, host: '127.0.0.1', metrics: [fx.pipeline.metricsRegistry] });
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await health.close();
  await workers.close();
  await fx.close();
});

describe('worker health endpoint', () => {
  it('reports running workers, serves metrics, and turns 503 once the workers stop', async () => {
    const ok = await fetch(`${url}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      ok: true,
      redis: true,
      workers: [{ running: true }, { running: true }],
    });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    expect((await fetch(`${url}/nothing`)).status).toBe(404);

    await Promise.all(workers.workers.map((w) => w.close()));
    const down = await fetch(`${url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ ok: false });
  });
});
