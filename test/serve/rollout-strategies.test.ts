/**
 * Shadow and blue-green rollouts through the real gateway process, its routing TTL set to a
 * minute so that only the changes pushed over Redis pub/sub can reach it during the test:
 * shadow traffic is compared with production's answers and the sums stored on the deployment
 * (equal to the comparison done here with the same models); a shadow whose model cannot load
 * never fails or changes the caller's answer; a blue-green candidate is warmed by the gateway,
 * switched to at once and switched back with one call; and 5,000 requests from 32 concurrent
 * clients while the endpoint switches back and forth every 50 ms all succeed, each answered
 * entirely by the model version its response names.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { loadModel, type LoadedModel, type Prediction } from '@lathe/ml';
import { announceRoutingChange } from '@lathe/queues';
import {
  getModelVersion,
  registerModelVersion,
  replaceDirectDeployment,
  retireShadowDeployment,
  stageBlueGreenDeployment,
  startShadowDeployment,
  switchDeployment,
} from '@lathe/registry';
import type { Redis } from 'ioredis';
import { silentLogger } from '@lathe/core';
import { deploymentResource } from '../../services/api/src/routes/deployments.ts';
import { startRolloutLoop } from '../../services/deploy/src/rollout-loop.ts';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import {
  createTabularExperiment,
  createTestDatabase,
  createTestRedis,
  metricValue,
  startGatewayProcess,
  startPolicyRollout,
  trainTabularVersions,
  type GatewayProcess,
  type TestDatabase,
  type TestRedis,
} from '../harness/index.ts';

let db: TestDatabase;
let redis: TestRedis;
let publisher: Redis;
let dir: string;
let gateway: GatewayProcess;
const rows = syntheticTabular(200, 7);
const versions = { v1: '', v2: '', broken: '' };
const local: { v1?: LoadedModel; v2?: LoadedModel } = {};

async function predict(instances: unknown[]) {
  const response = await fetch(`${gateway.url}/v1/endpoints/shop/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instances }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
  return { status: response.status, body: (await response.json()) as any };
}

const announce = () => announceRoutingChange(publisher, redis.prefix, 'shop');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  db = await createTestDatabase('serve_rollouts');
  redis = createTestRedis('serve_rollouts');
  publisher = redis.connect();
  dir = await mkdtemp(join(tmpdir(), 'lathe-serve-rollouts-'));
  const store = new LocalArtifactStore(join(dir, 'store'));
  [versions.v1, versions.v2] = (await trainTabularVersions(db.registry, store, {
    modelName: 'shop',
    rows,
    seeds: [1, 2],
    hyperparameters: { epochs: 2, hiddenUnits: [8] },
  })) as [string, string];
  // A registered version whose artifact is not in the store: loading it fails.
  const v1 = await getModelVersion(db.registry, versions.v1);
  versions.broken = (
    await registerModelVersion(db.registry, {
      modelName: 'shop',
      useCase: 'tabular',
      modelFamily: 'mlp',
      artifactUri: 'file:///nowhere',
      sha256: 'f'.repeat(64),
      sizeBytes: 1,
      signature: v1.signature as never,
    })
  ).modelVersion.id;
  for (const name of ['v1', 'v2'] as const) {
    const version = await getModelVersion(db.registry, versions[name]);
    local[name] = await loadModel(await store.getBuffer(version.sha256));
  }
  await replaceDirectDeployment(db.registry, { endpoint: 'shop', modelVersionId: versions.v1 });
  gateway = await startGatewayProcess({
    databaseUrl: db.schemaUrl,
    artifactDir: join(dir, 'store'),
    env: {
      REDIS_URL: redis.redisUrl,
      LATHE_QUEUE_PREFIX: redis.prefix,
      LATHE_SERVE_ROUTE_TTL_MS: '60000',
      LATHE_SERVE_FLUSH_MS: '50',
    },
  });
  // The routing is read (and cached for a minute) before any change is announced.
  expect((await predict([{ features: rows[0]!.features }])).body.modelVersionId).toBe(versions.v1);
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
  local.v1?.dispose();
  local.v2?.dispose();
  await redis?.cleanup();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Sends probe requests until the gateway mirrors to `deploymentId` (the announcement has
 * arrived), lets the probes' comparisons be written, and returns the row from then on.
 */
async function mirroringTo(deploymentId: string) {
  await until('the gateway to mirror to the shadow', async () => {
    await predict(instancesOf(0, 1));
    const row = await db.registry.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    return row.shadowRequests > 0 ? row : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 500)); // several flushes of 50 ms
  return db.registry.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
}

const instancesOf = (from: number, n: number) =>
  Array.from({ length: n }, (_, j) => ({ features: rows[(from + j) % rows.length]!.features }));

describe('shadow deployments', () => {
  it("mirror live traffic, compare it with production's answers and store the comparison", async () => {
    const shadow = await startShadowDeployment(db.registry, {
      endpoint: 'shop',
      modelVersionId: versions.v2,
    });
    await announce();
    const before = await mirroringTo(shadow.id);
    const shadowCount = async () =>
      metricValue(await (await fetch(`${gateway.url}/metrics`)).text(), 'lathe_serve_served_seconds_count', {
        endpoint: 'shop',
        model_version: versions.v2,
        arm: 'shadow',
        route: 'predict',
      });
    const countedBefore = await shadowCount();
    let sent = 0;
    let agreements = 0;
    let deltaSum = 0;
    for (let i = 0; i < 30; i++) {
      const instances = instancesOf(i * 3, 1 + (i % 3));
      const response = await predict(instances);
      expect(response.status).toBe(200);
      // The caller gets production's answer, whatever the shadow says.
      expect(response.body.modelVersionId).toBe(versions.v1);
      const production = await local.v1!.predict(instances);
      expect(response.body.predictions).toEqual(production);
      const candidate = await local.v2!.predict(instances);
      production.forEach((p: Prediction, j) => {
        const s = candidate[j]!;
        agreements += s.label === p.label ? 1 : 0;
        deltaSum += (s.probabilities![p.label!] ?? 0) - p.probabilities![p.label!]!;
      });
      sent += instances.length;
    }
    const stored = await until('the shadow comparisons', async () => {
      const row = await db.registry.deployment.findUniqueOrThrow({ where: { id: shadow.id } });
      return row.shadowRequests - before.shadowRequests >= sent ? row : undefined;
    });
    expect(stored.shadowRequests - before.shadowRequests).toBe(sent);
    expect(stored.shadowErrors).toBe(0);
    expect(stored.shadowAgreements - before.shadowAgreements).toBe(agreements);
    expect(stored.shadowScoreDeltaSum - before.shadowScoreDeltaSum).toBeCloseTo(deltaSum, 4);
    expect(stored.shadowLatencyMsSum).toBeGreaterThan(before.shadowLatencyMsSum);
    const resource = deploymentResource(stored);
    expect(resource.strategy).toBe('shadow');
    expect(resource.shadow!.agreementRate).toBeCloseTo(stored.shadowAgreements / stored.shadowRequests, 10);
    expect(resource.shadow!.answers).toBe(stored.shadowRequests);
    // Its calls are counted on /metrics under the endpoint, its model version and arm "shadow".
    expect((await shadowCount()) - countedBefore).toBe(30);
  }, 120_000);

  it('never fails or changes the caller’s answer when the shadow model cannot be loaded', async () => {
    const shadow = await startShadowDeployment(db.registry, {
      endpoint: 'shop',
      modelVersionId: versions.broken,
    });
    await announce();
    const before = await mirroringTo(shadow.id);
    let sent = 0;
    for (let i = 0; i < 20; i++) {
      const instances = instancesOf(i, 2);
      const response = await predict(instances);
      expect(response.status).toBe(200);
      expect(response.body.predictions).toEqual(await local.v1!.predict(instances));
      sent += instances.length;
    }
    const stored = await until('the failed shadow calls', async () => {
      const row = await db.registry.deployment.findUniqueOrThrow({ where: { id: shadow.id } });
      return row.shadowRequests - before.shadowRequests >= sent ? row : undefined;
    });
    expect(stored.shadowRequests - before.shadowRequests).toBe(sent);
    // Every mirrored answer failed, the probes' included.
    expect(stored.shadowErrors).toBe(stored.shadowRequests);
    expect(stored.shadowAgreements).toBe(0);
    expect(await retireShadowDeployment(db.registry, 'shop')).toBe(1);
    await announce();
  }, 120_000);
});

describe('blue-green deployments', () => {
  it('warm the candidate, switch all traffic at once, and switch back with one call', async () => {
    const staged = await stageBlueGreenDeployment(db.registry, {
      endpoint: 'shop',
      modelVersionId: versions.v2,
    });
    await announce();
    // Staged is not serving: production still answers, while the gateway loads and warms the candidate.
    expect((await predict(instancesOf(0, 1))).body.modelVersionId).toBe(versions.v1);
    await until('the gateway to warm the candidate', async () => {
      const row = await db.registry.deployment.findUniqueOrThrow({ where: { id: staged.id } });
      return row.warmedAt ?? undefined;
    });
    const { active, standby } = await switchDeployment(db.registry, staged.id);
    expect(active.modelVersionId).toBe(versions.v2);
    expect(standby!.modelVersionId).toBe(versions.v1);
    await announce();
    const instances = instancesOf(5, 3);
    const switched = await until('the switch to reach the gateway', async () => {
      const response = await predict(instances);
      return response.body.modelVersionId === versions.v2 ? response : undefined;
    });
    expect(switched.body.predictions).toEqual(await local.v2!.predict(instances));
    // Switching back: the same call on the standby.
    await switchDeployment(db.registry, standby!.id);
    await announce();
    const back = await until('the switch back', async () => {
      const response = await predict(instances);
      return response.body.modelVersionId === versions.v1 ? response : undefined;
    });
    expect(back.body.predictions).toEqual(await local.v1!.predict(instances));
  }, 120_000);

  it('fails no request out of 5,000 while the endpoint switches back and forth under load', async () => {
    const total = 5_000;
    let issued = 0;
    let switches = 0;
    let done = false;
    const answers: Array<{
      status: number;
      modelVersionId: string;
      from: number;
      n: number;
      predictions: unknown;
    }> = [];
    const mover = (async () => {
      while (!done) {
        const standby = await db.registry.deployment.findFirstOrThrow({
          where: { endpoint: 'shop', status: 'pending' },
        });
        await switchDeployment(db.registry, standby.id);
        await announce();
        switches++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const client = async () => {
      while (issued < total) {
        const from = issued++;
        const n = 1 + (from % 4);
        const response = await predict(instancesOf(from, n));
        answers.push({
          status: response.status,
          modelVersionId: response.body.modelVersionId,
          from,
          n,
          predictions: response.body.predictions,
        });
      }
    };
    await Promise.all(Array.from({ length: 32 }, client));
    done = true;
    await mover;
    expect(answers).toHaveLength(total);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(switches).toBeGreaterThanOrEqual(4);
    const served = { [versions.v1]: 0, [versions.v2]: 0 };
    for (const a of answers) {
      // Each request finished on the model it started on: its answer is wholly that version's.
      const model = a.modelVersionId === versions.v1 ? local.v1! : local.v2!;
      expect(a.modelVersionId === versions.v1 || a.modelVersionId === versions.v2).toBe(true);
      expect(a.predictions).toEqual(await model.predict(instancesOf(a.from, a.n)));
      served[a.modelVersionId]!++;
    }
    expect(served[versions.v1]).toBeGreaterThan(0);
    expect(served[versions.v2]).toBeGreaterThan(0);
  }, 300_000);
});

describe('rollout monitor decisions', () => {
  it('are announced, so the gateway follows a stopped A/B test long before its routing TTL', async () => {
    await replaceDirectDeployment(db.registry, { endpoint: 'promo', modelVersionId: versions.v1 });
    const abTest = await startPolicyRollout(db.registry, {
      name: 'promo-v2',
      endpoint: 'promo',
      experimentId: await createTabularExperiment(db.registry, 'promo'),
      // No time to reach a verdict: the monitor's first pass stops the test, keeping the control.
      policy: { steps: [0.5], maxDurationMs: 0 },
      control: versions.v1,
      treatment: versions.v2,
    });
    const ask = async () => {
      const response = await fetch(`${gateway.url}/v1/endpoints/promo/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ unitId: 'shopper-1', instances: instancesOf(0, 1) }),
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
      return (await response.json()) as any;
    };
    // Read (and cached for a minute) while the test runs.
    expect((await ask()).abTest.id).toBe(abTest.id);
    const loop = startRolloutLoop(db.registry, {
      intervalMs: 100,
      logger: silentLogger,
      announce: (endpoint) => announceRoutingChange(publisher, redis.prefix, endpoint),
    });
    try {
      await until('the monitor to stop the test', async () => {
        const row = await db.registry.abTest.findUniqueOrThrow({ where: { id: abTest.id } });
        return row.status === 'running' ? undefined : row;
      });
      const after = await until('the gateway to follow', async () => {
        const body = await ask();
        return body.abTest === null ? body : undefined;
      });
      expect(after.modelVersionId).toBe(versions.v1);
    } finally {
      await loop.stop();
    }
  }, 120_000);
});
