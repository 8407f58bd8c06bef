/**
 * The real gateway process serving a really trained recommender and two tabular models:
 * top-k lists are the model's own ranking (its scores for every item, sorted) without what the
 * user interacted with in training, unless asked; a user the model never saw gets the
 * popularity ranking; concurrent requests of different sizes on different endpoints are merged
 * into fewer, larger model calls and each gets its own answer; a full queue is refused with
 * 503 and Retry-After; a misspelt or missing feature column is a 422 naming it; unitId is
 * optional without an A/B test; /metrics counts each request per endpoint, model version, arm.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { predictResponseSchema, recommendResponseSchema } from '@lathe/contract';
import { runCli, type CliIo } from '../../packages/cli/src/index.ts';
import { loadModel, type LoadedModel } from '@lathe/ml';
import { getModelVersion, replaceDirectDeployment } from '@lathe/registry';
import { syntheticInteractions, syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import { variantOfUnit } from '@lathe/experiments';
import {
  createTabularExperiment,
  createTestDatabase,
  metricValue,
  startPolicyRollout,
  startGatewayProcess,
  trainRecommenderVersion,
  trainTabularVersions,
  type GatewayProcess,
  type TestDatabase,
} from '../harness/index.ts';

let db: TestDatabase;
let dir: string;
let store: LocalArtifactStore;
let gateway: GatewayProcess;
const local: Record<'recs' | 'churnA' | 'churnB', LoadedModel | undefined> = {
  recs: undefined,
  churnA: undefined,
  churnB: undefined,
};
const ids: Record<'recs' | 'churnA' | 'churnB', string> = { recs: '', churnA: '', churnB: '' };
const interactions = syntheticInteractions({ users: 60, items: 40, clusters: 4, perUser: 10, seed: 3 });
const rows = syntheticTabular(200, 5);

async function post(base: string, path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function loadLocal(modelVersionId: string): Promise<LoadedModel> {
  const version = await getModelVersion(db.registry, modelVersionId);
  return loadModel(await store.getBuffer(version.sha256));
}

/** The model's own ranking: its score for every item it knows, best first. */
async function ownRanking(user: string): Promise<Array<{ itemId: string; score: number }>> {
  const items = local.recs!.preprocessing.items as string[];
  const scores = await local.recs!.predict(items.map((item) => ({ user, item })));
  return items.map((itemId, i) => ({ itemId, score: scores[i]!.score! })).sort((a, b) => b.score - a.score);
}

const seenBy = (user: string) =>
  new Set(interactions.train.filter((r) => r.user === user).map((r) => r.item));

beforeAll(async () => {
  db = await createTestDatabase('serve_recs');
  dir = await mkdtemp(join(tmpdir(), 'lathe-serve-recs-'));
  store = new LocalArtifactStore(join(dir, 'store'));
  ids.recs = (
    await trainRecommenderVersion(db.registry, store, {
      modelName: 'shop-recs',
      rows: interactions.train,
      seed: 1,
    })
  ).modelVersionId;
  [ids.churnA, ids.churnB] = (await trainTabularVersions(db.registry, store, {
    modelName: 'churn',
    rows,
    seeds: [1, 2],
    hyperparameters: { epochs: 2, hiddenUnits: [8] },
  })) as [string, string];
  await replaceDirectDeployment(db.registry, { endpoint: 'shop-recs', modelVersionId: ids.recs });
  await replaceDirectDeployment(db.registry, { endpoint: 'churn-a', modelVersionId: ids.churnA });
  await replaceDirectDeployment(db.registry, { endpoint: 'churn-b', modelVersionId: ids.churnB });
  local.recs = await loadLocal(ids.recs);
  local.churnA = await loadLocal(ids.churnA);
  local.churnB = await loadLocal(ids.churnB);
  gateway = await startGatewayProcess({
    databaseUrl: db.schemaUrl,
    artifactDir: join(dir, 'store'),
    env: { LATHE_SERVE_ROUTING_PUSH: 'off' },
  });
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
  for (const model of Object.values(local)) model?.dispose();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('top-k recommendations through the gateway process', () => {
  it("returns the model's own ranking without the items the user interacted with in training", async () => {
    for (const user of ['u0', 'u7', 'u33']) {
      const seen = seenBy(user);
      expect(seen.size).toBeGreaterThan(0);
      const response = await post(gateway.url, '/v1/endpoints/shop-recs/recommend', { userId: user, k: 5 });
      expect(response.status).toBe(200);
      const body = recommendResponseSchema.parse(response.body);
      expect(body).toMatchObject({
        endpoint: 'shop-recs',
        modelVersionId: ids.recs,
        abTest: null,
        basis: 'model',
      });
      const expected = (await ownRanking(user)).filter((x) => !seen.has(x.itemId)).slice(0, 5);
      expect(body.items.map((x) => x.itemId)).toEqual(expected.map((x) => x.itemId));
      body.items.forEach((x, i) => expect(x.score).toBeCloseTo(expected[i]!.score, 5));
      expect(body.items.some((x) => seen.has(x.itemId))).toBe(false);
    }
  });

  it('includes seen items when asked, and honours candidates and exclusions', async () => {
    const all = await ownRanking('u7');
    const withSeen = await post(gateway.url, '/v1/endpoints/shop-recs/recommend', {
      userId: 'u7',
      k: 8,
      includeSeen: true,
    });
    expect(withSeen.body.items.map((x: { itemId: string }) => x.itemId)).toEqual(
      all.slice(0, 8).map((x) => x.itemId),
    );
    const seen = seenBy('u7');
    const candidates = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'not-an-item'];
    const exclude = ['i2'];
    const restricted = await post(gateway.url, '/v1/endpoints/shop-recs/recommend', {
      userId: 'u7',
      k: 3,
      candidates,
      exclude,
    });
    const expected = all
      .filter((x) => candidates.includes(x.itemId) && !exclude.includes(x.itemId) && !seen.has(x.itemId))
      .slice(0, 3);
    expect(restricted.body.items.map((x: { itemId: string }) => x.itemId)).toEqual(
      expected.map((x) => x.itemId),
    );
  });

  it('gives a user the model never saw (or no user at all) the popularity ranking, marked as such', async () => {
    const counts = new Map<string, number>();
    for (const r of interactions.train) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
    const popular = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    for (const body of [{ userId: 'new-shopper', k: 4 }, { k: 4 }]) {
      const response = await post(gateway.url, '/v1/endpoints/shop-recs/recommend', body);
      expect(response.status).toBe(200);
      expect(response.body.basis).toBe('popularity');
      const top = response.body.items as Array<{ itemId: string; score: number }>;
      // Ties in count may come in either order; the counts themselves must be the top four.
      expect(top.map((x) => counts.get(x.itemId))).toEqual(popular.slice(0, 4).map(([, n]) => n));
      expect(top[0]!.score).toBeCloseTo(1, 6);
    }
  });

  it('refuses recommend on an endpoint whose model is not a recommender, and bad bodies', async () => {
    const wrong = await post(gateway.url, '/v1/endpoints/churn-a/recommend', { userId: 'u1', k: 3 });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('not_a_recommender');
    const bad = await post(gateway.url, '/v1/endpoints/shop-recs/recommend', { userId: 'u1', k: 0 });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('body.k');
  });
});

describe('strict inputs', () => {
  it('names a misspelt or missing feature column (422); unitId is optional without an A/B test', async () => {
    const features = rows[0]!.features as Record<string, unknown>;
    const { tenure, ...withoutTenure } = features;
    const misspelt = await post(gateway.url, '/v1/endpoints/churn-a/predict', {
      instances: [{ features: { ...withoutTenure, tenur: tenure } }],
    });
    expect(misspelt.status).toBe(422);
    expect(misspelt.body.code).toBe('invalid_instances');
    expect(misspelt.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'body.instances.0.features.tenur',
      'body.instances.0.features.tenure',
    ]);
    expect(misspelt.body.detail).toMatch(/unknown feature column `tenur`/);
    const missing = await post(gateway.url, '/v1/endpoints/churn-a/predict', {
      instances: [{ features: withoutTenure }],
    });
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toMatch(/missing feature column `tenure`/);
    const fine = await post(gateway.url, '/v1/endpoints/churn-a/predict', { instances: [{ features }] });
    expect(fine.status).toBe(200);
    expect(predictResponseSchema.parse(fine.body).predictions).toEqual(
      await local.churnA!.predict([{ features }]),
    );
  });
});

describe('micro-batching', () => {
  it('merges concurrent requests of different sizes and endpoints into fewer model calls, each answered with its own rows', async () => {
    const metricsBefore = await (await fetch(`${gateway.url}/metrics`)).text();
    const calls = (text: string, id: string, kind: string) =>
      metricValue(text, 'lathe_serve_model_calls_total', { model_version: id, kind });
    const answered = (text: string, id: string, kind: string) =>
      metricValue(text, 'lathe_serve_model_call_requests_total', { model_version: id, kind });
    type Sent =
      | { kind: 'predict'; endpoint: 'churn-a' | 'churn-b'; instances: Array<{ features: unknown }> }
      | { kind: 'recommend'; user: string };
    const sent: Sent[] = [];
    for (let i = 0; i < 240; i++) {
      if (i % 4 === 3) sent.push({ kind: 'recommend', user: `u${i % 60}` });
      else {
        const size = 1 + (i % 5);
        sent.push({
          kind: 'predict',
          endpoint: i % 2 === 0 ? 'churn-a' : 'churn-b',
          instances: Array.from({ length: size }, (_, j) => ({
            features: rows[(i * 7 + j) % rows.length]!.features,
          })),
        });
      }
    }
    const responses = await Promise.all(
      sent.map((s) =>
        s.kind === 'predict'
          ? post(gateway.url, `/v1/endpoints/${s.endpoint}/predict`, { instances: s.instances })
          : post(gateway.url, '/v1/endpoints/shop-recs/recommend', { userId: s.user, k: 3 }),
      ),
    );
    for (const [i, s] of sent.entries()) {
      const response = responses[i]!;
      expect(response.status).toBe(200);
      if (s.kind === 'predict') {
        const model = s.endpoint === 'churn-a' ? local.churnA! : local.churnB!;
        expect(response.body.modelVersionId).toBe(s.endpoint === 'churn-a' ? ids.churnA : ids.churnB);
        expect(response.body.predictions).toEqual(await model.predict(s.instances));
      } else {
        const seen = seenBy(s.user);
        const expected = (await ownRanking(s.user)).filter((x) => !seen.has(x.itemId)).slice(0, 3);
        expect(response.body.items.map((x: { itemId: string }) => x.itemId)).toEqual(
          expected.map((x) => x.itemId),
        );
      }
    }
    const metricsAfter = await (await fetch(`${gateway.url}/metrics`)).text();
    let modelCalls = 0;
    for (const [id, kind, requests] of [
      [ids.churnA, 'predict', sent.filter((s) => s.kind === 'predict' && s.endpoint === 'churn-a').length],
      [ids.churnB, 'predict', sent.filter((s) => s.kind === 'predict' && s.endpoint === 'churn-b').length],
      [ids.recs, 'recommend', sent.filter((s) => s.kind === 'recommend').length],
    ] as const) {
      expect(answered(metricsAfter, id, kind) - answered(metricsBefore, id, kind)).toBe(requests);
      modelCalls += calls(metricsAfter, id, kind) - calls(metricsBefore, id, kind);
    }
    // Merged: the models saw fewer calls than requests. (Per model it depends on how the
    // burst's arrivals interleave with its calls on a busy machine; over three models, far fewer.)
    expect(modelCalls).toBeLessThan(sent.length);
    // Per-arm telemetry: every predict on churn-a counted under its endpoint, model version and arm.
    const servedCount = (text: string) =>
      metricValue(text, 'lathe_serve_served_seconds_count', {
        endpoint: 'churn-a',
        model_version: ids.churnA,
        arm: 'none',
        route: 'predict',
      });
    expect(servedCount(metricsAfter) - servedCount(metricsBefore)).toBe(
      sent.filter((s) => s.kind === 'predict' && s.endpoint === 'churn-a').length,
    );
  }, 120_000);

  it('refuses with 503 and Retry-After when the queue is full, and answers the rest correctly', async () => {
    const tight = await startGatewayProcess({
      databaseUrl: db.schemaUrl,
      artifactDir: join(dir, 'store'),
      env: {
        LATHE_SERVE_ROUTING_PUSH: 'off',
        LATHE_SERVE_BATCH_MAX_SIZE: '4',
        LATHE_SERVE_BATCH_MAX_QUEUED: '4',
      },
    });
    try {
      const instances = Array.from({ length: 4 }, (_, j) => ({ features: rows[j]!.features }));
      const expected = await local.churnA!.predict(instances);
      const responses = await Promise.all(
        Array.from({ length: 80 }, () => post(tight.url, '/v1/endpoints/churn-a/predict', { instances })),
      );
      const refused = responses.filter((r) => r.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.body.code).toBe('overloaded');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      const answered = responses.filter((r) => r.status !== 503);
      expect(answered.length).toBeGreaterThan(0);
      for (const r of answered) {
        expect(r.status).toBe(200);
        expect(r.body.predictions).toEqual(expected);
      }
    } finally {
      await tight.stop();
    }
  }, 120_000);
});

describe('the CLI against the gateway', () => {
  const io = (): CliIo & { out: () => string; err: () => string } => {
    let out = '';
    let err = '';
    return {
      stdout: { write: (text: string) => (out += text), isTTY: false },
      stderr: { write: (text: string) => (err += text) },
      env: { HOME: dir, LATHE_SERVE_URL: gateway.url },
      fetch: globalThis.fetch,
      out: () => out,
      err: () => err,
    };
  };

  it('lathe recommend prints the top-k in the gateway’s order; lathe predict prints each prediction', async () => {
    const recommend = io();
    expect(await runCli(['recommend', 'shop-recs', '--user', 'u7', '-k', '3'], recommend)).toBe(0);
    const seen = seenBy('u7');
    const expected = (await ownRanking('u7')).filter((x) => !seen.has(x.itemId)).slice(0, 3);
    const printed = recommend
      .out()
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cells) => /^\d+$/.test(cells[0] ?? ''))
      .map((cells) => cells[1]);
    expect(printed).toEqual(expected.map((x) => x.itemId));
    expect(recommend.out()).toMatch(/ranked by the model’s scores/);

    const cold = io();
    expect(await runCli(['recommend', 'shop-recs', '-k', '2'], cold)).toBe(0);
    expect(cold.out()).toMatch(/popularity/);

    const predict = io();
    const features = rows[0]!.features;
    const [expectedPrediction] = await local.churnA!.predict([{ features }]);
    expect(await runCli(['predict', 'churn-a', '--instances', JSON.stringify([{ features }])], predict)).toBe(
      0,
    );
    expect(predict.out()).toContain(ids.churnA);
    expect(predict.out()).toMatch(new RegExp(`\\b0\\s+${expectedPrediction!.label}\\b`));

    const bad = io();
    expect(await runCli(['recommend', 'shop-recs', '-k', '0'], bad)).toBe(1);
    expect(bad.err()).toMatch(/the request is not valid: k:/);
  });
});

describe('recommendations in an A/B test', () => {
  it('route each shopper to their arm, record one exposure per shopper, and take click and revenue outcomes', async () => {
    const challenger = (
      await trainRecommenderVersion(db.registry, store, {
        modelName: 'shop-recs',
        rows: interactions.train,
        seed: 2,
      })
    ).modelVersionId;
    const experimentId = await createTabularExperiment(db.registry, 'shop-recs');
    const abTest = await startPolicyRollout(db.registry, {
      name: 'shop-recs-v2',
      endpoint: 'shop-recs',
      experimentId,
      policy: { steps: [0.5] },
      control: ids.recs,
      treatment: challenger,
    });
    // The gateway re-reads routing within its TTL (1 s by default).
    const shoppers = Array.from({ length: 40 }, (_, i) => `u${i}`);
    await until(async () => {
      const r = await post(gateway.url, '/v1/endpoints/shop-recs/recommend', { userId: 'u0', k: 3 });
      return r.body.abTest !== null;
    });
    const anonymous = await post(gateway.url, '/v1/endpoints/shop-recs/recommend', { k: 3 });
    expect(anonymous.status).toBe(422);
    expect(anonymous.body.code).toBe('unit_id_required');
    const arms = new Map<string, string>();
    for (const userId of shoppers) {
      const r = await post(gateway.url, '/v1/endpoints/shop-recs/recommend', { userId, k: 3 });
      expect(r.status).toBe(200);
      const variant = variantOfUnit(abTest, userId)!;
      expect(r.body).toMatchObject({
        modelVersionId: variant.modelVersionId,
        abTest: { id: abTest.id, variant: variant.name, step: 0 },
        basis: 'model',
      });
      arms.set(userId, variant.name);
    }
    expect(new Set(arms.values()).size).toBe(2);
    for (const [i, userId] of shoppers.entries()) {
      if (i % 5 !== 0) continue;
      const click = await post(gateway.url, '/v1/endpoints/shop-recs/outcomes', {
        unitId: userId,
        idempotencyKey: `click-${userId}`,
      });
      expect(click.status).toBe(202);
      expect(click.body).toEqual({ endpoint: 'shop-recs', abTestId: abTest.id, variant: arms.get(userId) });
      const purchase = await post(gateway.url, '/v1/endpoints/shop-recs/outcomes', {
        unitId: userId,
        idempotencyKey: `order-${userId}`,
        metric: 'revenue',
        value: 42.5,
      });
      expect(purchase.status).toBe(202);
    }
    await until(async () => {
      const exposures = await db.registry.abEvent.count({ where: { abTestId: abTest.id, type: 'exposure' } });
      return exposures >= shoppers.length;
    });
    // u0 asked more than once (while waiting for the test to reach the gateway): still one exposure.
    expect(await db.registry.abEvent.count({ where: { abTestId: abTest.id, type: 'exposure' } })).toBe(
      shoppers.length,
    );
    const revenue = await db.registry.abEvent.findMany({
      where: { abTestId: abTest.id, type: 'outcome', metric: 'revenue' },
    });
    expect(revenue).toHaveLength(8);
    expect(revenue.every((e) => Number(e.value) === 42.5)).toBe(true);
  }, 120_000);
});

async function until(probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
