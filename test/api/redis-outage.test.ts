/**
 * The API while Redis cannot be reached: the rate limiter lets requests through instead of
 * failing every one of them, so what needs only Postgres keeps working; starting a run fails
 * fast with 503 (it does not hang until Redis returns) and the run row says why; the readiness
 * probe says Redis is down.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@lathe/core';
import { createPipeline, type Pipeline } from '@lathe/queues';
import { createApiKey, generateApiKey } from '@lathe/registry';
import { testApiConfig } from './api-harness.ts';
import { createApp } from '../../services/api/src/index.ts';
import { createTestDatabase, freePort, listenForTest, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
let redis: Redis;
let pipeline: Pipeline;
let stopListening: () => Promise<void>;
let url: string;
let key: string;
let editorKey: string;

beforeAll(async () => {
  db = await createTestDatabase('redis-outage');
  const deadRedis = `redis://127.0.0.1:${await freePort()}`;
  // As the API's main.ts connects: a few retries per command, then an error.
  redis = new Redis(deadRedis, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  pipeline = createPipeline({
    registry: db.registry,
    connection: deadRedis,
    prefix: 'outage',
    logger: silentLogger,
    enqueueTimeoutMs: 500,
  });
  const { app } = createApp({
    registry: db.registry,
    pipeline,
    redis,
    config: testApiConfig('redis-outage', 'outage'),
    logger: silentLogger,
  });
  const secret = generateApiKey();
  await createApiKey(db.registry, {
    name: 'viewer',
    role: 'viewer',
    prefix: secret.prefix,
    hash: secret.hash,
  });
  key = secret.key;
  const editor = generateApiKey();
  await createApiKey(db.registry, {
    name: 'editor',
    role: 'editor',
    prefix: editor.prefix,
    hash: editor.hash,
  });
  editorKey = editor.key;
  ({ url, close: stopListening } = await listenForTest(app));
});
afterAll(async () => {
  await stopListening();
  redis.disconnect();
  void pipeline.close(); // its connection never opened; closing waits for nothing useful
  await db.drop();
});

describe('API without Redis', () => {
  it('serves what needs only Postgres, fails a run start fast with 503, and the readiness probe names Redis', async () => {
    const experiments = await fetch(`${url}/experiments`, { headers: { authorization: `Bearer ${key}` } });
    expect(experiments.status).toBe(200);
    expect(await experiments.json()).toMatchObject({ items: [] });

    const dataset = await db.registry.dataset.create({ data: { name: 'clicks', useCase: 'tabular' } });
    const experiment = await db.registry.experiment.create({
      data: {
        name: 'churn',
        useCase: 'tabular',
        modelFamily: 'mlp',
        hyperparameters: {},
        datasetId: dataset.id,
        gate: [],
        rolloutPolicy: {},
      },
    });
    const started = await fetch(`${url}/experiments/${experiment.id}/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editorKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(started.status).toBe(503);
    expect(await started.json()).toMatchObject({
      code: 'enqueue_failed',
      detail: expect.stringMatching(/Redis/),
    });
    const run = await db.registry.run.findFirstOrThrow({ where: { experimentId: experiment.id } });
    expect(run).toMatchObject({ status: 'failed', errorCode: 'enqueue_failed', errorStage: 'ingest' });

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const { checks } = (await ready.json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(Object.fromEntries(checks.map((c) => [c.name, c.ok]))).toMatchObject({
      postgres: true,
      redis: false,
    });
  });
});
