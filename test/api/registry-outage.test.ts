/**
 * The API while Postgres cannot be reached (down, restarting): requests that need the registry
 * get 503 `registry_unavailable` as problem details, saying to retry, not a bare 500; the
 * liveness probe still answers and the readiness probe says which dependency is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@lathe/core';
import { createPipeline, type Pipeline } from '@lathe/queues';
import { createRegistry, type Registry } from '@lathe/registry';
import { testApiConfig } from './api-harness.ts';
import { createApp } from '../../services/api/src/index.ts';
import { createTestRedis, freePort, listenForTest, type TestRedis } from '../harness/index.ts';

let redis: TestRedis;
let registry: Registry;
let pipeline: Pipeline;
let stopListening: () => Promise<void>;
let url: string;

beforeAll(async () => {
  redis = createTestRedis('outage');
  registry = createRegistry({ databaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/lathe` });
  pipeline = createPipeline({
    registry,
    connection: redis.redisUrl,
    prefix: redis.prefix,
    logger: silentLogger,
  });
  const { app } = createApp({
    registry,
    pipeline,
    redis: redis.connect(),
    config: testApiConfig('outage', redis.prefix),
    logger: silentLogger,
  });
  ({ url, close: stopListening } = await listenForTest(app));
});
afterAll(async () => {
  await stopListening();
  await pipeline.close();
  await registry.$disconnect();
  await redis.cleanup();
});

describe('API without Postgres', () => {
  it('answers 503 registry_unavailable where the registry is needed, and the probes say what is up', async () => {
    const runs = await fetch(`${url}/runs`, {
      headers: { authorization: 'Bearer lathe_0123456789abcdef_0123456789abcdef0123456789abcdef' },
    });
    expect(runs.status).toBe(503);
    expect(runs.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await runs.json()).toMatchObject({
      status: 503,
      code: 'registry_unavailable',
      detail: expect.stringMatching(/retry/),
    });

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const { checks } = (await ready.json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(Object.fromEntries(checks.map((c) => [c.name, c.ok]))).toMatchObject({
      postgres: false,
      redis: true,
    });
  });
});
