/**
 * The serving gateway against a real Postgres and a local artifact store, with two really
 * trained tabular models (v1 in production, v2 the challenger of a running A/B test): every
 * request is answered by the model version of its unit's variant, each exposed unit is recorded
 * once per traffic step, outcomes land on the unit's variant, and once the test ends the
 * endpoint's active deployment serves everyone. Bad input gets problem details. And the whole
 * loop: traffic through the gateway, the rollout monitor advancing and promoting on it, the
 * gateway following. And the endpoint routes need an admin-API key of the right role.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { silentLogger } from '@lathe/core';
import { abTestDesign, rolloutPolicySchema, variantOfUnit } from '@lathe/experiments';
import { train } from '@lathe/ml';
import {
  abTestStatistics,
  createApiKey,
  generateApiKey,
  getAbTest,
  getAlias,
  moveAlias,
  registerModelVersion,
  revokeApiKey,
  startRollout,
  type AbTestWithVariants,
  type ApiKeyRole,
} from '@lathe/registry';
import { monitorRollouts } from '../../services/deploy/src/rollout-monitor.ts';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import {
  createAbEventLog,
  createBatchedModels,
  createClientKeys,
  createEndpointRouter,
  createModelCache,
  createServeApp,
  createServingMetrics,
  createShadowLog,
  modelVersionLoader,
  type AbEventLog,
  type ModelCache,
  type ShadowLog,
} from '../../services/serve/src/index.ts';
import { createTestDatabase, listenForTest, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
let storeDir: string;
let stopListening: (() => Promise<void>) | undefined;
let base: string;
let events: AbEventLog;
let shadows: ShadowLog;
let models: ModelCache;
let abTest: AbTestWithVariants;
let experimentId: string;
const versions: Record<'v1' | 'v2', string> = { v1: '', v2: '' };
const rows = syntheticTabular(300, 3);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Body = any;

/** How long the gateway reuses a key's lookup in these tests. */
const KEY_TTL_MS = 200;
/** The key requests send unless they say otherwise (editor: may predict and post outcomes). */
let editorKey: string;

async function newKey(role: ApiKeyRole): Promise<{ key: string; id: string }> {
  const secret = generateApiKey();
  const row = await createApiKey(db.registry, {
    name: `serve-${role}-${secret.prefix}`,
    role,
    prefix: secret.prefix,
    hash: secret.hash,
  });
  return { key: secret.key, id: row.id };
}

async function post(
  path: string,
  body: unknown,
  options: { raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; type: string; body: Body; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${editorKey}`, ...options.headers },
    body: options.raw ?? JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.json(),
    headers: response.headers,
  };
}

beforeAll(async () => {
  db = await createTestDatabase('serve');
  storeDir = await mkdtemp(join(tmpdir(), 'lathe-serve-'));
  const store = new LocalArtifactStore(storeDir);
  const dataset = await db.registry.dataset.create({ data: { name: 'churn', useCase: 'tabular' } });
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
  experimentId = experiment.id;
  for (const [name, seed] of [
    ['v1', 1],
    ['v2', 2],
  ] as const) {
    const result = await train({
      family: 'mlp',
      hyperparameters: { epochs: 2, hiddenUnits: [8] },
      seed,
      dataset: { useCase: 'tabular', labels: ['churn', 'stay'] },
      trainRows: async function* () {
        yield* rows;
      },
    });
    const stored = await store.put(result.buffer);
    const { modelVersion } = await registerModelVersion(db.registry, {
      modelName: 'churn',
      useCase: 'tabular',
      modelFamily: 'mlp',
      artifactUri: stored.uri,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      signature: result.bundle.signature as never,
    });
    versions[name] = modelVersion.id;
  }
  await db.registry.deployment.create({
    data: {
      endpoint: 'churn',
      modelVersionId: versions.v1,
      strategy: 'direct',
      status: 'active',
      traffic: 1,
    },
  });
  await moveAlias(db.registry, {
    modelName: 'churn',
    alias: 'production',
    modelVersionId: versions.v1,
    reason: 'first model',
    actor: 'test',
  });
  ({ abTest } = await startRollout(db.registry, {
    name: 'churn-v2',
    endpoint: 'churn',
    experimentId: experiment.id,
    runId: (await db.registry.run.create({ data: { experimentId: experiment.id, seed: 1 } })).id,
    salt: 'serve-test',
    primaryMetric: 'conversion',
    // One step of 30%: every unit is in the test, 30% of them in the treatment.
    policy: { steps: [0.3] },
    controlModelVersionId: versions.v1,
    treatmentModelVersionId: versions.v2,
    ...abTestDesign(rolloutPolicySchema.parse({ steps: [0.3] })),
    now: new Date(),
  }));

  editorKey = (await newKey('editor')).key;
  models = createModelCache({
    load: modelVersionLoader({ registry: db.registry, store, logger: silentLogger }),
    size: 2,
  });
  events = createAbEventLog({ registry: db.registry, flushMs: 50, logger: silentLogger });
  shadows = createShadowLog({ registry: db.registry, flushMs: 50, logger: silentLogger });
  const serving = createServingMetrics();
  const batch = { maxBatchSize: 64, maxWaitMs: 1, maxQueuedRows: 1024 };
  const app = createServeApp({
    registry: db.registry,
    router: createEndpointRouter(db.registry, { ttlMs: 100, logger: silentLogger }),
    models,
    batched: createBatchedModels(batch, serving),
    events,
    shadows,
    metrics: serving,
    keys: createClientKeys(db.registry, { ttlMs: KEY_TTL_MS, logger: silentLogger }),
    config: {
      jsonLimitBytes: 64 * 1024,
      maxInstances: 16,
      routeTtlMs: 100,
      models: 2,
      flushMs: 50,
      auth: 'api-key',
      keyTtlMs: KEY_TTL_MS,
      batch,
      deadlineMs: 10_000,
      routingPush: 'off',
    },
    logger: silentLogger,
  });
  ({ url: base, close: stopListening } = await listenForTest(app));
}, 120_000);

afterAll(async () => {
  await stopListening?.();
  await events?.close();
  await shadows?.close();
  await models?.close();
  await db?.drop();
  await rm(storeDir, { recursive: true, force: true });
});

describe('serving gateway', () => {
  it("answers each unit with its variant's model, records one exposure per unit, and attributes outcomes", async () => {
    const units = Array.from({ length: 200 }, (_, i) => `customer-${i}`);
    const served = new Map<string, string>();
    for (const unitId of units) {
      const answer = await post('/v1/endpoints/churn/predict', {
        unitId,
        instances: [{ features: rows[0]!.features }, { features: rows[1]!.features }],
      });
      expect(answer.status).toBe(200);
      const expected = variantOfUnit(abTest, unitId)!;
      expect(answer.body).toMatchObject({
        endpoint: 'churn',
        modelVersionId: expected.modelVersionId,
        abTest: { id: abTest.id, variant: expected.name, step: 0 },
      });
      expect(answer.body.predictions).toHaveLength(2);
      expect(Object.keys(answer.body.predictions[0].probabilities).sort()).toEqual(['churn', 'stay']);
      served.set(unitId, expected.name);
    }
    // Both variants got traffic, the same unit again gets the same variant and no second exposure.
    const treated = units.filter((u) => served.get(u) === 'treatment');
    expect(treated.length).toBeGreaterThan(30);
    expect(treated.length).toBeLessThan(90);
    const again = await post('/v1/endpoints/churn/predict', {
      unitId: treated[0],
      instances: [{ features: rows[2]!.features }],
    });
    expect(again.body.abTest.variant).toBe('treatment');
    // Each model version was loaded once, however many requests it answered.
    expect(models.stats()).toEqual({ loaded: 2, loads: 2 });

    const converting = units.filter((_, i) => i % 4 === 0);
    for (const unitId of converting) {
      const recorded = await post('/v1/endpoints/churn/outcomes', {
        unitId,
        idempotencyKey: `order-${unitId}`,
      });
      expect(recorded.status).toBe(202);
      expect(recorded.body).toEqual({ endpoint: 'churn', abTestId: abTest.id, variant: served.get(unitId) });
    }
    // A retried outcome (same key) counts once.
    await post('/v1/endpoints/churn/outcomes', {
      unitId: converting[0],
      idempotencyKey: `order-${converting[0]}`,
    });

    await events.flush();
    // The kept sufficient statistics: units per arm, converted units per arm (a unit once).
    const stats = await abTestStatistics(db.registry, abTest.id);
    const conversion = new Map(
      stats.metrics
        .filter((m) => m.metric === 'conversion')
        .map((m) => [abTest.variants.find((v) => v.id === m.variantId)!.name, m]),
    );
    expect(conversion.get('treatment')).toMatchObject({
      step: 0,
      units: treated.length,
      sum: converting.filter((u) => served.get(u) === 'treatment').length,
    });
    expect(conversion.get('control')).toMatchObject({
      step: 0,
      units: units.length - treated.length,
      sum: converting.filter((u) => served.get(u) === 'control').length,
    });
    // Every prediction of a unit in the test counted as a request of its arm, none failed.
    const requests = stats.requests.reduce((sum, r) => sum + r.requests, 0);
    expect(requests).toBe(units.length + 1);
    expect(stats.requests.every((r) => r.errors === 0)).toBe(true);
    // Outcomes are also kept for the endpoint itself: the next test's CUPED covariates.
    expect(await db.registry.unitOutcome.count({ where: { endpoint: 'churn' } })).toBe(converting.length);
    expect(await db.registry.abEvent.count({ where: { abTestId: abTest.id, type: 'exposure' } })).toBe(
      units.length,
    );
  });

  it('refuses bad requests with problem details', async () => {
    const unknown = await post('/v1/endpoints/nothing-here/predict', { unitId: 'u', instances: [{}] });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
    expect(unknown.type).toMatch(/^application\/problem\+json/);
    const empty = await post('/v1/endpoints/churn/predict', { unitId: 'u', instances: [] });
    expect([empty.status, empty.body.errors[0].field]).toEqual([422, 'body.instances']);
    const tooMany = await post('/v1/endpoints/churn/predict', {
      unitId: 'u',
      instances: Array.from({ length: 17 }, () => ({ features: rows[0]!.features })),
    });
    expect(tooMany.status).toBe(422);
    const wrongShape = await post('/v1/endpoints/churn/predict', {
      unitId: 'u',
      instances: [{ features: rows[0]!.features }, 'not a row'],
    });
    expect([wrongShape.status, wrongShape.body.errors[0].field]).toEqual([422, 'body.instances.1']);
    // Checked against the model's own signature: a word where it was trained on a number.
    const wrongType = await post('/v1/endpoints/churn/predict', {
      unitId: 'u',
      instances: [{ features: { ...rows[0]!.features, tenure: 'long' } }],
    });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body).toMatchObject({
      code: 'invalid_instances',
      errors: [{ field: 'body.instances.0.features.tenure' }],
    });
    const malformed = await post('/v1/endpoints/churn/predict', null, { raw: '{"unitId": ' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'malformed_body']);
    const huge = await post('/v1/endpoints/churn/predict', {
      unitId: 'u',
      instances: [{ features: { note: 'x'.repeat(70 * 1024) } }],
    });
    expect([huge.status, huge.body.code]).toEqual([413, 'payload_too_large']);
    const noKey = await post('/v1/endpoints/churn/outcomes', { unitId: 'u' });
    expect([noKey.status, noKey.body.errors[0].field]).toEqual([422, 'body.idempotencyKey']);
  });

  it('needs an API key: any role to predict, editor to post outcomes; a revoked key stops working within the TTL', async () => {
    const predict = (headers: Record<string, string>) =>
      post(
        '/v1/endpoints/churn/predict',
        { unitId: 'u-auth', instances: [{ features: rows[0]!.features }] },
        { headers },
      );
    const missing = await predict({ authorization: '' });
    expect([missing.status, missing.body.code, missing.headers.get('www-authenticate')]).toEqual([
      401,
      'missing_api_key',
      'Bearer',
    ]);
    const unknown = await predict({ authorization: 'Bearer lathe_not-a-key' });
    expect([unknown.status, unknown.body.code]).toEqual([401, 'invalid_api_key']);
    const oversized = await predict({ authorization: `Bearer ${'k'.repeat(500)}` });
    expect([oversized.status, oversized.body.code]).toEqual([401, 'invalid_api_key']);

    const viewer = await newKey('viewer');
    expect((await predict({ authorization: `Bearer ${viewer.key}` })).status).toBe(200);
    expect((await predict({ authorization: '', 'x-api-key': viewer.key })).status).toBe(200);
    const outcome = await post(
      '/v1/endpoints/churn/outcomes',
      { unitId: 'u-auth', idempotencyKey: 'auth-1' },
      { headers: { authorization: `Bearer ${viewer.key}` } },
    );
    expect([outcome.status, outcome.body.code]).toEqual([403, 'insufficient_role']);
    // Checked before anything is recorded.
    expect(await db.registry.abEvent.count({ where: { unitId: 'u-auth', type: 'outcome' } })).toBe(0);

    // The use is recorded on the key, as the admin API does.
    const used = await db.registry.apiKey.findUniqueOrThrow({ where: { id: viewer.id } });
    expect(used.lastUsedAt).not.toBeNull();

    await revokeApiKey(db.registry, viewer.id);
    await new Promise((resolve) => setTimeout(resolve, KEY_TTL_MS + 50));
    const revoked = await predict({ authorization: `Bearer ${viewer.key}` });
    expect([revoked.status, revoked.body.code]).toEqual([401, 'invalid_api_key']);
  });

  it('keeps exposures while the registry refuses them and writes them once it takes them again', async () => {
    const variant = abTest.variants[0]!;
    const exposure = (unitId: string) => ({
      variantId: variant.id,
      type: 'exposure' as const,
      unitId,
      idempotencyKey: `${abTest.id}:outage-${unitId}`,
      occurredAt: new Date(),
      step: 0,
    });
    const stored = () =>
      db.registry.abEvent.count({ where: { idempotencyKey: { startsWith: `${abTest.id}:outage-` } } });
    // The table is away (a failed migration, a restore…): every write fails.
    await db.registry.$executeRawUnsafe('ALTER TABLE "AbEvent" RENAME TO "AbEventAway"');
    try {
      // More than one insert's worth, as after a long outage.
      for (let i = 0; i < 2_500; i++) events.expose(abTest.id, exposure(`u${i}`));
      await expect(events.flush()).rejects.toThrow();
      const outcome = {
        endpoint: 'churn',
        unitId: 'c',
        metric: 'conversion',
        value: 1,
        idempotencyKey: 'churn:outage-c',
        occurredAt: new Date(),
      };
      await expect(
        events.record(outcome, {
          abTestId: abTest.id,
          event: { ...exposure('c'), type: 'outcome', metric: 'conversion', value: 1 },
        }),
      ).rejects.toMatchObject({ code: 'registry_unavailable', httpStatus: 503 });
    } finally {
      await db.registry.$executeRawUnsafe('ALTER TABLE "AbEventAway" RENAME TO "AbEvent"');
    }
    await events.flush();
    expect(await stored()).toBe(2_501);
  });

  it('writes the exposures still buffered when it shuts down', async () => {
    // A log that would not flush for a minute: only close() can write its exposure.
    const log = createAbEventLog({ registry: db.registry, flushMs: 60_000, logger: silentLogger });
    const key = `${abTest.id}:shutdown-probe`;
    log.expose(abTest.id, {
      variantId: abTest.variants[0]!.id,
      type: 'exposure',
      unitId: 'late-visitor',
      idempotencyKey: key,
      occurredAt: new Date(),
      step: 0,
    });
    expect(await db.registry.abEvent.count({ where: { idempotencyKey: key } })).toBe(0);
    await log.close();
    expect(await db.registry.abEvent.count({ where: { idempotencyKey: key } })).toBe(1);
  });

  it('keeps routing and checking keys with the last read while the registry cannot be read, and says 503 where it never read', async () => {
    const unitId = 'customer-7';
    const before = await post('/v1/endpoints/churn/predict', {
      unitId,
      instances: [{ features: rows[0]!.features }],
    });
    expect(before.status).toBe(200);
    await db.registry.$executeRawUnsafe('ALTER TABLE "AbTest" RENAME TO "AbTestAway"');
    try {
      await new Promise((resolve) => setTimeout(resolve, 150)); // past the routing TTL: a fresh read fails
      const during = await post('/v1/endpoints/churn/predict', {
        unitId,
        instances: [{ features: rows[0]!.features }],
      });
      expect(during.status).toBe(200);
      expect(during.body.modelVersionId).toBe(before.body.modelVersionId);
      const neverRead = await post('/v1/endpoints/fraud/predict', { unitId, instances: [{ features: {} }] });
      expect([neverRead.status, neverRead.body.code]).toEqual([503, 'registry_unavailable']);
    } finally {
      await db.registry.$executeRawUnsafe('ALTER TABLE "AbTestAway" RENAME TO "AbTest"');
    }
    const { key: newcomer } = await newKey('viewer');
    await db.registry.$executeRawUnsafe('ALTER TABLE "ApiKey" RENAME TO "ApiKeyAway"');
    try {
      await new Promise((resolve) => setTimeout(resolve, KEY_TTL_MS + 50)); // past the key TTL: a fresh lookup fails
      const known = await post('/v1/endpoints/churn/predict', {
        unitId,
        instances: [{ features: rows[0]!.features }],
      });
      expect(known.status).toBe(200);
      const neverChecked = await post(
        '/v1/endpoints/churn/predict',
        { unitId, instances: [{ features: rows[0]!.features }] },
        { headers: { authorization: `Bearer ${newcomer}` } },
      );
      expect([neverChecked.status, neverChecked.body.code]).toEqual([503, 'registry_unavailable']);
    } finally {
      await db.registry.$executeRawUnsafe('ALTER TABLE "ApiKeyAway" RENAME TO "ApiKey"');
    }
  });

  it('serves everyone from the active deployment once the test has ended', async () => {
    await db.registry.abTest.update({
      where: { id: abTest.id },
      data: { status: 'stopped', endedAt: new Date() },
    });
    await new Promise((resolve) => setTimeout(resolve, 150)); // past the routing TTL
    const treatedUnit = Array.from({ length: 100 }, (_, i) => `customer-${i}`).find(
      (u) => variantOfUnit(abTest, u)!.name === 'treatment',
    )!;
    const answer = await post('/v1/endpoints/churn/predict', {
      unitId: treatedUnit,
      instances: [{ features: rows[0]!.features }],
    });
    expect(answer.body).toMatchObject({ modelVersionId: versions.v1, abTest: null });
    // An outcome outside any test is still the endpoint's history (a later test's covariate).
    const outcome = await post('/v1/endpoints/churn/outcomes', {
      unitId: treatedUnit,
      idempotencyKey: 'late',
    });
    expect([outcome.status, outcome.body]).toEqual([
      202,
      { endpoint: 'churn', abTestId: null, variant: null },
    ]);
    expect(
      await db.registry.unitOutcome.count({ where: { endpoint: 'churn', idempotencyKey: 'churn:late' } }),
    ).toBe(1);
  });

  it('closes the loop: live traffic through the gateway lets the rollout monitor advance and promote, and the gateway follows', async () => {
    // Planned for a large effect (MDE 50%): the mixture of the sequential test is tuned to it.
    const livePolicy = {
      steps: [0.3, 0.5],
      minExposuresPerArm: 150,
      minStepDurationMs: 0,
      maxDurationMs: 3_600_000,
      alpha: 0.05,
      minimumDetectableEffect: 0.5,
    };
    const { abTest: live } = await startRollout(db.registry, {
      name: 'churn-v2-live',
      endpoint: 'churn',
      experimentId,
      runId: (await db.registry.run.create({ data: { experimentId, seed: 2 } })).id,
      salt: 'live-loop',
      primaryMetric: 'conversion',
      policy: livePolicy,
      controlModelVersionId: versions.v1,
      treatmentModelVersionId: versions.v2,
      ...abTestDesign(rolloutPolicySchema.parse(livePolicy)),
      now: new Date(),
    });
    /** Visitors through the gateway; every 5th treated and every 10th control visitor converts. */
    const visit = async (tag: string, count: number) => {
      const seen: Record<string, number> = {};
      for (let i = 0; i < count; i++) {
        const unitId = `${tag}-${i}`;
        const answer = await post('/v1/endpoints/churn/predict', {
          unitId,
          instances: [{ features: rows[i % rows.length]!.features }],
        });
        if (!answer.body.abTest) continue; // outside the step's coverage: production, not in the test
        const variant = answer.body.abTest.variant as string;
        seen[variant] = (seen[variant] ?? 0) + 1;
        if (seen[variant]! % (variant === 'treatment' ? 5 : 10) === 0) {
          expect(
            (await post('/v1/endpoints/churn/outcomes', { unitId, idempotencyKey: `order-${unitId}` }))
              .status,
          ).toBe(202);
        }
      }
      await events.flush();
    };
    const waitForRouting = () => new Promise((resolve) => setTimeout(resolve, 150)); // past the routing TTL

    await waitForRouting();
    await visit('step0', 700);
    let [result] = await monitorRollouts(db.registry);
    expect(result!.decision).toMatchObject({ action: 'advance', step: 1, treatmentTraffic: 0.5 });

    await waitForRouting();
    await visit('step1', 700);
    [result] = await monitorRollouts(db.registry);
    expect(result!.decision.action).toBe('promote');
    expect((await getAbTest(db.registry, live.id)).status).toBe('promoted');
    expect((await getAlias(db.registry, 'churn', 'production'))?.modelVersionId).toBe(versions.v2);

    // The gateway now serves the promoted model to everyone, outside any test.
    await waitForRouting();
    const after = await post('/v1/endpoints/churn/predict', {
      unitId: 'step0-1',
      instances: [{ features: rows[0]!.features }],
    });
    expect(after.body).toMatchObject({ modelVersionId: versions.v2, abTest: null });
  }, 120_000);
});
