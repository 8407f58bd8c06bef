/**
 * The API while Postgres cannot be reached (down, restarting): requests that need the registry
 * get 503 `registry_unavailable` as problem details, saying to retry, not a bare 500; the
 * liveness probe still answers and the readiness probe says which dependency is missing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@lathe/core';
import { createPipeline, type Pipeline } from '@lathe/queues';
import { createRegistry, type Registry } from '@lathe/registry';
import { createApp } from '../../services/api/src/index.ts';
import { createTestRedis, freePort, type TestRedis } from '../harness/index.ts';

let redis: TestRedis;
let registry: Registry;
let pipeline: Pipeline;
let server: Server;
let url: string;

beforeAll(async () => {
  redis = createTestRedis('outage');
  registry = createRegistry({ databaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/lathe` });
  pipeline = createPipeline({ registry, connection: redis.redisUrl, prefix: redis.prefix, logger: silentLogger });
  const scratch = mkdtempSync(join(tmpdir(), 'lathe-api-outage-'));
  const { app } = createApp({
    registry,
    pipeline,
    redis: redis.connect(),
    config: {
      queuePrefix: redis.prefix,
      jsonLimitBytes: 64 * 1024,
      uploadLimitBytes: 1024 * 1024,
      rateLimit: { max: 100_000, windowMs: 60_000 },
      uploadDir: join(scratch, 'uploads'),
      artifactDir: join(scratch, 'artifacts'),
      eventPollMs: 50,
    },
    logger: silentLogger,
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pipeline.close();
  await registry.$disconnect();
  await redis.cleanup();
});

describe('API without Postgres', () => {
  it('answers 503 registry_unavailable where the registry is needed, and the probes say what is up', async () => {
    const runs = await fetch(`${url}/runs`, { headers: { authorization: 'Bearer lathe_0123456789abcdef_0123456789abcdef0123456789abcdef' } });
    expect(runs.status).toBe(503);
    expect(runs.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await runs.json()).toMatchObject({ status: 503, code: 'registry_unavailable', detail: expect.stringMatching(/retry/) });

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const { checks } = (await ready.json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(Object.fromEntries(checks.map((c) => [c.name, c.ok]))).toMatchObject({ postgres: false, redis: true });
  });
});
