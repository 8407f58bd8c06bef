/**
 * Ending rollouts and moving what serves an endpoint, through real processes: the admin API
 * (services/api/src/main.ts) and two serving gateways (services/serve/src/main.ts), all on the
 * test's Postgres and Redis, the gateways with the default routing TTL of one second and their
 * Redis reached through a TCP proxy the test can cut.
 *
 * - `lathe deployments stop` ends a shadow: the API records it (retired, stoppedAt,
 *   stopReason, an audit entry), the CLI lists it, and the gateways stop mirroring to it;
 *   the deployment serving the endpoint cannot be stopped (409 serving).
 * - A promotion (a blue-green switch through the API) reaches both gateways: the time from the
 *   moment the registry recorded it to the moment both answer with the new model version,
 *   while both are polled back to back, has a median under 100 ms over several moves (the
 *   pub/sub push; the TTL alone would take up to a second), and no polled request fails.
 * - With Redis cut off from the gateways (no pub/sub), a promotion still reaches both within
 *   their routing TTL (plus scheduling slack), again without a failed request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { LocalArtifactStore } from '@lathe/artifacts';
import { routingChannel } from '@lathe/queues';
import { createApiKey, generateApiKey, replaceDirectDeployment } from '@lathe/registry';
import { runCli, type CliIo } from '../../packages/cli/src/index.ts';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import {
  createTestDatabase,
  createTestRedis,
  metricValue,
  startGatewayProcess,
  startLatheProcess,
  startTcpProxy,
  trainTabularVersions,
  type GatewayProcess,
  type LatheProcess,
  type TcpProxy,
  type TestDatabase,
  type TestRedis,
} from '../harness/index.ts';

const TTL_MS = 1_000;
let db: TestDatabase;
let redis: TestRedis;
let proxy: TcpProxy;
let dir: string;
let api: LatheProcess;
let editorKey: string;
const gateways: GatewayProcess[] = [];
const rows = syntheticTabular(200, 11);
const versions = { v1: '', v2: '', v3: '' };

async function apiCall(method: string, path: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${editorKey}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
  return { status: response.status, body: (await response.json()) as any };
}

async function lathe(...argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text) },
    env: { HOME: dir, LATHE_API_URL: api.url, LATHE_API_KEY: editorKey },
    fetch: globalThis.fetch,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const instances = [{ features: rows[0]!.features }];
async function predict(gateway: GatewayProcess) {
  const response = await fetch(`${gateway.url}/v1/endpoints/shop/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instances }),
  });
  const body = (await response.json()) as { modelVersionId?: string };
  return { status: response.status, modelVersionId: body.modelVersionId ?? null };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many gateways are subscribed to the routing channel, as Redis itself counts them. */
async function subscribers(): Promise<number> {
  const admin = new Redis(redis.redisUrl);
  try {
    const [, count] = (await admin.pubsub('NUMSUB', routingChannel(redis.prefix))) as [string, number];
    return Number(count);
  } finally {
    admin.disconnect();
  }
}

beforeAll(async () => {
  db = await createTestDatabase('rollout_control');
  redis = createTestRedis('rollout_control');
  dir = await mkdtemp(join(tmpdir(), 'lathe-rollout-control-'));
  const store = new LocalArtifactStore(join(dir, 'store'));
  [versions.v1, versions.v2, versions.v3] = (await trainTabularVersions(db.registry, store, {
    modelName: 'shop',
    rows,
    seeds: [1, 2, 3],
    hyperparameters: { epochs: 1, hiddenUnits: [4] },
  })) as [string, string, string];
  await replaceDirectDeployment(db.registry, { endpoint: 'shop', modelVersionId: versions.v1 });
  const secret = generateApiKey();
  await createApiKey(db.registry, {
    name: 'editor',
    role: 'editor',
    prefix: secret.prefix,
    hash: secret.hash,
  });
  editorKey = secret.key;
  const redisUrl = new URL(redis.redisUrl);
  proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) });
  const shared = { databaseUrl: db.schemaUrl, artifactDir: join(dir, 'store') };
  // One at a time: on a small machine parallel TypeScript start-ups only slow each other down.
  api = await startLatheProcess('api', {
    ...shared,
    redisUrl: redis.redisUrl,
    queuePrefix: redis.prefix,
    env: { LATHE_LOG_LEVEL: 'fatal' },
  });
  for (let i = 0; i < 2; i++)
    gateways.push(
      await startGatewayProcess({
        ...shared,
        env: {
          REDIS_URL: proxy.urlThrough(redis.redisUrl),
          LATHE_QUEUE_PREFIX: redis.prefix,
          LATHE_SERVE_ROUTE_TTL_MS: String(TTL_MS),
          LATHE_SERVE_FLUSH_MS: '50',
        },
      }),
    );
  await until('both gateways to subscribe', async () => ((await subscribers()) >= 2 ? true : undefined));
  for (const gateway of gateways) expect((await predict(gateway)).modelVersionId).toBe(versions.v1);
}, 240_000);

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await api?.stop();
  await proxy?.close();
  await redis?.cleanup();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('stopping a rollout', () => {
  it('stops a shadow through the CLI: recorded, listed, audited, and no longer mirrored', async () => {
    const started = await lathe('deploy', 'shop', versions.v2, '--strategy', 'shadow');
    expect(started.code).toBe(0);
    const shadowId = /deployment (\S+): shadow on shop \(active\)/.exec(started.out)![1]!;
    const mirrored = () =>
      db.registry.deployment.findUniqueOrThrow({ where: { id: shadowId } }).then((d) => d.shadowRequests);
    // Both gateways mirror their traffic to it (each counts its mirrored calls on /metrics).
    const mirroredCalls = async (gateway: GatewayProcess) =>
      metricValue(await (await fetch(`${gateway.url}/metrics`)).text(), 'lathe_serve_served_seconds_count', {
        endpoint: 'shop',
        model_version: versions.v2,
        arm: 'shadow',
        route: 'predict',
      });
    await until('both gateways to mirror', async () => {
      for (const gateway of gateways) await predict(gateway);
      const counts = await Promise.all(gateways.map(mirroredCalls));
      return counts.every((n) => n > 0) ? true : undefined;
    });

    const stopped = await lathe('deployments', 'stop', shadowId, '--reason', 'agreement too low');
    expect(stopped.code).toBe(0);
    expect(stopped.out).toMatch(/shadow on shop stopped at \S+ \(agreement too low\)/);
    const resource = await apiCall('GET', `/deployments/${shadowId}`);
    expect(resource.body).toMatchObject({
      strategy: 'shadow',
      status: 'retired',
      traffic: 0,
      stopReason: 'agreement too low',
    });
    expect(resource.body.stoppedAt).toEqual(resource.body.retiredAt);
    // Its comparison stays readable after the stop.
    expect(resource.body.shadow.answers).toBeGreaterThan(0);
    const listed = await lathe('deployments', 'list', '--endpoint', 'shop');
    const row = listed.out.split('\n').find((line) => line.startsWith(shadowId.slice(0, 8)))!;
    expect(row).toMatch(/shadow\s+retired/);
    expect(row).toContain('agreement too low');
    const audit = await db.registry.auditLog.findMany({
      where: { entityId: shadowId, action: 'deployment.stop' },
    });
    expect(audit).toHaveLength(1);
    // Stopping it again is harmless: the same record, no second audit entry.
    const again = await apiCall('POST', `/deployments/${shadowId}/stop`, { reason: 'again' });
    expect(again.status).toBe(200);
    expect(again.body.stopReason).toBe('agreement too low');

    // The gateways heard of it: what they mirrored before it settles, then nothing more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = await mirrored();
    const calls = await Promise.all(gateways.map(mirroredCalls));
    for (let i = 0; i < 10; i++)
      for (const gateway of gateways) expect((await predict(gateway)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300)); // several flushes of 50 ms
    expect(await mirrored()).toBe(settled);
    expect(await Promise.all(gateways.map(mirroredCalls))).toEqual(calls);
  }, 60_000);

  it('refuses to stop the deployment that serves the endpoint', async () => {
    const active = await db.registry.deployment.findFirstOrThrow({
      where: { endpoint: 'shop', status: 'active', strategy: 'direct' },
    });
    const refused = await lathe('deployments', 'stop', active.id);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/serves endpoint shop.*\[serving\]/);
    expect((await db.registry.deployment.findUniqueOrThrow({ where: { id: active.id } })).status).toBe(
      'active',
    );
  });
});

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with the API process's timestamps. */
const wallNow = () => performance.timeOrigin + performance.now();

/**
 * Polls one gateway back to back and keeps when each answer arrived (wall clock, ms):
 * `firstAt(version, after)` is the first response naming `version` that arrived after `after`.
 */
function poll(gateway: GatewayProcess) {
  const log: Array<{ at: number; modelVersionId: string | null }> = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const answer = await predict(gateway).catch(() => ({ status: 0, modelVersionId: null }));
      if (answer.status !== 200) failed++;
      log.push({ at: wallNow(), modelVersionId: answer.modelVersionId });
    }
  })();
  return {
    log,
    failed: () => failed,
    firstAt: (version: string, after: number) =>
      log.find((e) => e.at > after && e.modelVersionId === version)?.at,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Stages v3 as the blue-green candidate and waits until a gateway has warmed it. */
async function stageWarmed(): Promise<string> {
  const staged = await apiCall('POST', '/deployments', {
    endpoint: 'shop',
    modelVersionId: versions.v3,
    strategy: 'blue_green',
  });
  expect(staged.status).toBe(201);
  await until('a gateway to warm the candidate', async () => {
    for (const gateway of gateways) await predict(gateway);
    const row = await db.registry.deployment.findUniqueOrThrow({ where: { id: staged.body.id } });
    return row.warmedAt ?? undefined;
  });
  return staged.body.id as string;
}

/**
 * Switches to the standby through the API and measures when both gateways (being polled) first
 * answered with its model version: `delay` from the moment the registry recorded the switch
 * (the switched deployment's updatedAt, stamped by the API process before its commit, audit
 * entry and announcement), `sinceCall` from just before the API call.
 */
async function promote(pollers: ReturnType<typeof poll>[], timeoutMs: number) {
  const standby = await db.registry.deployment.findFirstOrThrow({
    where: { endpoint: 'shop', status: 'pending' },
  });
  // Both gateways have read the routing that names this standby (and loaded it) before the move.
  await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
  const called = wallNow();
  const switched = await apiCall('POST', `/deployments/${standby.id}/switch`);
  expect(switched.status).toBe(200);
  const recorded = Date.parse(switched.body.active.updatedAt as string);
  const reached = await until(
    'both gateways to serve the promoted version',
    async () => {
      const at = pollers.map((p) => p.firstAt(standby.modelVersionId, called));
      return at.every((x) => x !== undefined) ? Math.max(...(at as number[])) : undefined;
    },
    timeoutMs,
  );
  return { delay: reached - recorded, sinceCall: reached - called };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('a promotion reaching the gateways', () => {
  it('reaches both gateways within 100 ms (median of 7 moves) over pub/sub, no request failing', async () => {
    await stageWarmed();
    const pollers = gateways.map(poll);
    const moves: Array<{ delay: number; sinceCall: number }> = [];
    try {
      for (let move = 0; move < 7; move++) moves.push(await promote(pollers, 10_000));
    } finally {
      for (const p of pollers) await p.stop();
    }
    const delays = moves.map((m) => m.delay);
    console.log(
      `promotion recorded → both gateways serve it (pub/sub): ${delays.map((d) => d.toFixed(1)).join(', ')} ms; from the API call's start: ${moves.map((m) => m.sinceCall.toFixed(1)).join(', ')} ms`,
    );
    expect(pollers.map((p) => p.failed())).toEqual([0, 0]);
    expect(pollers.every((p) => p.log.length > 100)).toBe(true);
    expect(median(delays)).toBeLessThan(100);
  }, 120_000);

  it('still reaches both gateways by their routing TTL when pub/sub is cut off', async () => {
    await proxy.cut();
    await until('the subscriptions to drop', async () => ((await subscribers()) === 0 ? true : undefined));
    const pollers = gateways.map(poll);
    const delays: number[] = [];
    try {
      for (let move = 0; move < 3; move++) delays.push((await promote(pollers, 10_000)).delay);
    } finally {
      for (const p of pollers) await p.stop();
      await proxy.restore();
    }
    console.log(
      `promotion recorded → both gateways serve it (TTL only): ${delays.map((d) => d.toFixed(1)).join(', ')} ms`,
    );
    expect(pollers.map((p) => p.failed())).toEqual([0, 0]);
    // The TTL, plus the time for a registry read and a poll on a busy machine.
    for (const delay of delays) expect(delay).toBeLessThan(TTL_MS + 1_000);
  }, 120_000);
});
