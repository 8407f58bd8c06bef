/** Happy paths of every resource, and the conventions that span them (ETag/If-Match, idempotency, pagination, audit). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendRunMetrics,
  claimStages,
  failStage,
  finishStages,
  recordAbEvents,
  type NewAbEvent,
} from '@lathe/registry';
import { normalCdf } from '../../packages/experiments/src/normal-distribution.ts';
// The model families' hyperparameter schemas (zod only; the module does not load tfjs).
import { parseHyperparameters } from '../../packages/ml/src/hyperparameters.ts';
import { startTestApi, seed, type TestApi } from './api-harness.ts';

let api: TestApi;
let fx: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  api = await startTestApi(
    'resources',
    {},
    {
      validateHyperparameters: (family, input) =>
        parseHyperparameters(family, input) as Record<string, unknown>,
    },
  );
  fx = await seed(api);
});
afterAll(() => api.close());

describe('probes and documents', () => {
  it('serves /healthz, /readyz, /metrics, /openapi.json and Swagger UI at /docs', async () => {
    expect((await api.request('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' });
    const ready = await api.request('GET', '/readyz', { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['postgres', true],
      ['redis', true],
    ]);
    const metrics = await api.request('GET', '/metrics', { key: null });
    expect(metrics.text).toMatch(/lathe_api_requests_total\{[^}]*route="\/readyz"/);
    const docs = await fetch(`${api.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger-ui/i);
    const css = await fetch(`${api.url}/docs/swagger-ui.css`);
    expect(css.status).toBe(200); // bundled assets, no CDN
  });

  it('sets security headers and allows CORS for the dashboard origin only', async () => {
    const allowed = await fetch(`${api.url}/healthz`, { headers: { origin: 'http://dashboard.test' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://dashboard.test');
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    const other = await fetch(`${api.url}/healthz`, { headers: { origin: 'http://evil.test' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('mounts Bull Board at /admin/queues for admins only', async () => {
    const anonymous = await fetch(`${api.url}/admin/queues`);
    expect(anonymous.status).toBe(401);
    // A browser is asked for Basic credentials there; API routes challenge for a Bearer key.
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="lathe"');
    expect((await fetch(`${api.url}/runs`)).headers.get('www-authenticate')).toBe('Bearer');
    const basic = (key: string) => ({
      authorization: `Basic ${Buffer.from(`lathe:${key}`).toString('base64')}`,
    });
    expect((await fetch(`${api.url}/admin/queues`, { headers: basic(api.keys.editor) })).status).toBe(403);
    const page = await fetch(`${api.url}/admin/queues`, { headers: basic(api.keys.admin) });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });
});

describe('datasets', () => {
  it('creates a dataset, streams an upload into a version, dedupes identical content, pages versions', async () => {
    const created = await api.request('POST', '/datasets', {
      key: api.keys.editor,
      body: { name: 'ratings', useCase: 'recommendation' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const csv = 'user,item,rating\nu1,i1,5\nu2,i1,3\n';
    const upload = await api.request('POST', `/datasets/${id}/versions`, {
      key: api.keys.editor,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(upload.status).toBe(201);
    // Stored as the normalised JSON Lines of a recommendation dataset, profiled and split.
    expect(upload.body).toMatchObject({ created: true, version: { version: 1, rows: 2, format: 'jsonl' } });
    expect(upload.body.version.schema).toMatchObject({ useCase: 'recommendation' });
    expect(upload.body.version.profile.columns.user).toMatchObject({ kind: 'categorical', distinct: 2 });
    const again = await api.request('POST', `/datasets/${id}/versions`, {
      key: api.keys.editor,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(again.status).toBe(200);
    expect(again.body.version.id).toBe(upload.body.version.id);
    const jsonl = await api.request('POST', `/datasets/${id}/versions?format=jsonl`, {
      key: api.keys.editor,
      rawBody: '{"user":"u1","item":"i2","rating":4}\n',
    });
    expect(jsonl.body.version).toMatchObject({ version: 2, parentId: upload.body.version.id });

    const page1 = await api.request('GET', `/datasets/${id}/versions?limit=1`, { key: api.keys.viewer });
    expect(page1.body.items.map((v: { version: number }) => v.version)).toEqual([2]);
    const page2 = await api.request(
      'GET',
      `/datasets/${id}/versions?limit=1&cursor=${page1.body.nextCursor}`,
      { key: api.keys.viewer },
    );
    expect(page2.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(page2.body.nextCursor).toBeNull();

    expect((await api.request('GET', `/datasets/${id}`, { key: api.keys.viewer })).body.name).toBe('ratings');
    const list = await api.request('GET', '/datasets?name=rat&sort=name', { key: api.keys.viewer });
    expect(list.body.items.map((d: { name: string }) => d.name)).toEqual(['ratings']);
    const duplicate = await api.request('POST', '/datasets', { body: { name: 'ratings', useCase: 'image' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0].field).toBe('body.name');
  });

  it('refuses an upload over the size limit with 413 problem+json, and a JSON body over its limit too', async () => {
    const id = (await api.request('POST', '/datasets', { body: { name: 'big', useCase: 'tabular' } })).body
      .id;
    const big = 'x,y\n' + '1,2\n'.repeat(300_000); // 1.2 MB > 1 MiB limit
    const upload = await api.request('POST', `/datasets/${id}/versions`, {
      rawBody: big,
      headers: { 'content-type': 'text/csv' },
    });
    expect(upload.status).toBe(413);
    expect(upload.body.code).toBe('payload_too_large');
    const json = await api.request('POST', '/datasets', {
      body: { name: 'x', useCase: 'tabular', description: 'y'.repeat(100_000) },
    });
    expect(json.status).toBe(413);
    expect(json.headers.get('content-type')).toMatch(/problem\+json/);
    const unsupported = await api.request('POST', `/datasets/${id}/versions`, {
      rawBody: 'a',
      headers: { 'content-type': 'application/pdf' },
    });
    expect(unsupported.status).toBe(415);
  });

  it('serves profile and drift of a version', async () => {
    expect((await api.request('GET', `/dataset-versions/${fx.version.id}`)).body.sha256).toBe('a'.repeat(64));
    expect((await api.request('GET', `/dataset-versions/${fx.version.id}/profile`)).body.profile).toEqual({
      user: { distinct: 3 },
    });
    expect((await api.request('GET', `/dataset-versions/${fx.version.id}/drift`)).body.drift).toEqual({
      user: { psi: 0.01 },
    });
  });
});

describe('experiments', () => {
  it('creates with defaults, reads with an ETag, and refuses a stale If-Match with 412 (no lost update)', async () => {
    const created = await api.request('POST', '/experiments', {
      key: api.keys.editor,
      body: {
        name: 'etag-test',
        useCase: 'recommendation',
        modelFamily: 'mf',
        datasetId: fx.dataset.id,
        gate: [{ metric: 'rmse', op: '<=', value: 1.2 }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body.rolloutPolicy.steps).toEqual([0.1, 0.5]);
    const id = created.body.id;

    // Two editors read revision 1 and both try to save: exactly one wins, the other gets 412.
    const [a, b] = await Promise.all([
      api.request('PATCH', `/experiments/${id}`, {
        key: api.keys.editor,
        headers: { 'if-match': '"1"' },
        body: { description: 'from A' },
      }),
      api.request('PATCH', `/experiments/${id}`, {
        key: api.keys.editor,
        headers: { 'if-match': '"1"' },
        body: { description: 'from B' },
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const winner = a.status === 200 ? 'from A' : 'from B';
    const loser = a.status === 200 ? b : a;
    expect(loser.body.code).toBe('precondition_failed');
    const now = await api.request('GET', `/experiments/${id}`, { key: api.keys.viewer });
    expect(now.body.description).toBe(winner);
    expect(now.headers.get('etag')).toBe('"2"');

    const missing = await api.request('PATCH', `/experiments/${id}`, {
      body: { description: 'blind write' },
    });
    expect(missing.status).toBe(428);

    const archived = await api.request('DELETE', `/experiments/${id}`, { headers: { 'if-match': '"2"' } });
    expect(archived.body.archivedAt).not.toBeNull();
    const listed = await api.request('GET', '/experiments?archived=true');
    expect(listed.body.items.map((e: { id: string }) => e.id)).toContain(id);
    const runOnArchived = await api.request('POST', `/experiments/${id}/runs`, { body: {} });
    expect(runOnArchived.status).toBe(409);
  });

  it('validates hyperparameters per model family (@lathe/ml schemas), naming each field', async () => {
    const base = { useCase: 'recommendation', datasetId: fx.dataset.id };
    const bad = await api.request('POST', '/experiments', {
      body: { ...base, name: 'hp-bad', modelFamily: 'mf', hyperparameters: { learningRate: -1, bogus: 1 } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('invalid_hyperparameters');
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['body.hyperparameters.learningRate', 'body.hyperparameters']),
    );
    const family = await api.request('POST', '/experiments', {
      body: { ...base, name: 'hp-family', modelFamily: 'random-forest' },
    });
    expect(family.status).toBe(422);
    expect(family.body.errors[0].field).toBe('body.modelFamily');
    const good = await api.request('POST', '/experiments', {
      body: { ...base, name: 'hp-good', modelFamily: 'mf', hyperparameters: { epochs: 3 } },
    });
    expect(good.status).toBe(201);
    expect(good.body.hyperparameters).toMatchObject({ epochs: 3, embeddingDim: 16 }); // defaults filled in

    // Per-run overrides are checked, merged over the experiment's, before anything is queued.
    const runsBefore = await api.db.registry.run.count({ where: { experimentId: good.body.id } });
    const badRun = await api.request('POST', `/experiments/${good.body.id}/runs`, {
      body: { params: { hyperparameters: { embeddingDim: 0, optimizer: 'adagrad-x' } } },
    });
    expect(badRun.status).toBe(422);
    expect(badRun.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining([
        'body.params.hyperparameters.embeddingDim',
        'body.params.hyperparameters.optimizer',
      ]),
    );
    expect(await api.db.registry.run.count({ where: { experimentId: good.body.id } })).toBe(runsBefore);
  });

  it('validates gate rules and rollout policy with field paths', async () => {
    const response = await api.request('POST', '/experiments', {
      body: {
        name: 'bad',
        useCase: 'nlp',
        modelFamily: 'lstm',
        datasetId: fx.dataset.id,
        rolloutPolicy: { steps: [0.5, 0.2] },
      },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors).toContainEqual({
      field: 'body.rolloutPolicy.steps',
      message: 'steps must increase',
    });
  });
});

describe('schedules', () => {
  it('creates, lists, updates and deletes a schedule, syncing the BullMQ scheduler', async () => {
    const created = await api.request('POST', `/experiments/${fx.experiment.id}/schedules`, {
      body: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(await api.pipeline.queues.schedules.getJobScheduler(`schedule-${id}`)).toBeTruthy();
    expect(
      (await api.request('GET', `/schedules?experimentId=${fx.experiment.id}`, { key: api.keys.viewer })).body
        .items,
    ).toHaveLength(1);
    expect((await api.request('PATCH', `/schedules/${id}`, { body: { enabled: false } })).body.enabled).toBe(
      false,
    );
    expect(await api.pipeline.queues.schedules.getJobScheduler(`schedule-${id}`)).toBeFalsy();
    expect((await api.request('GET', `/schedules/${id}`)).body.cron).toBe('0 3 * * *');
    const bad = await api.request('POST', `/experiments/${fx.experiment.id}/schedules`, {
      body: { cron: '0 3 * * *', timezone: 'Mars/Base' },
    });
    expect(bad.status).toBe(422);
    expect((await api.request('DELETE', `/schedules/${id}`)).status).toBe(204);
    expect((await api.request('GET', `/schedules/${id}`)).status).toBe(404);
  });
});

describe('runs', () => {
  it('starts a run once per Idempotency-Key, lists with filters, cancels, and refuses cancelling twice', async () => {
    const start = () =>
      api.request('POST', `/experiments/${fx.experiment.id}/runs`, {
        key: api.keys.editor,
        headers: { 'idempotency-key': 'nightly-2026-11-28' },
        body: { seed: 7 },
      });
    const first = await start();
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'queued', seed: 7, trigger: 'api' });
    expect(first.body.stages.map((s: { stage: string }) => s.stage)).toEqual([
      'ingest',
      'train',
      'evaluate',
      'deploy',
    ]);
    const second = await start();
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');

    const listed = await api.request('GET', `/runs?experimentId=${fx.experiment.id}&status=queued`, {
      key: api.keys.viewer,
    });
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([first.body.id]);

    const cancelled = await api.request('POST', `/runs/${first.body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await api.request('POST', `/runs/${first.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('illegal_run_transition');
  });

  it('retries a failed run from the failed stage, and serves its metrics, logs and events', async () => {
    const run = (
      await api.request('POST', `/experiments/${fx.experiment.id}/runs`, { body: { cache: false } })
    ).body;
    // A worker's view of the run: ingest succeeds, train records two epochs and fails.
    await api.pipeline.cancelRun(run.id).catch(() => undefined); // take it off the queue; rows drive the rest
    const fresh = (await api.request('POST', `/experiments/${fx.experiment.id}/runs`, { body: {} })).body;
    await api.db.registry.run.update({ where: { id: fresh.id }, data: { status: 'queued' } });
    await claimStages(api.db.registry, [{ runId: fresh.id, stage: 'ingest' }]);
    await finishStages(api.db.registry, [
      { runId: fresh.id, stage: 'ingest', output: { datasetVersionId: fx.version.id } },
    ]);
    await claimStages(api.db.registry, [{ runId: fresh.id, stage: 'train' }]);
    await appendRunMetrics(api.db.registry, fresh.id, [
      { name: 'loss', step: 0, value: 0.9 },
      { name: 'loss', step: 1, value: 0.5 },
    ]);
    await failStage(api.db.registry, fresh.id, 'train', {
      code: 'out_of_memory',
      message: 'tensor too large',
      final: true,
    });

    const metrics = await api.request('GET', `/runs/${fresh.id}/metrics`, { key: api.keys.viewer });
    expect(metrics.body.series.loss).toEqual([
      { step: 0, value: 0.9 },
      { step: 1, value: 0.5 },
    ]);
    const logs = await api.request('GET', `/runs/${fresh.id}/logs`, { key: api.keys.viewer });
    expect(logs.body.entries.map((e: { message: string }) => e.message)).toContain(
      'train failed: out_of_memory: tensor too large',
    );

    const events = await fetch(`${api.url}/runs/${fresh.id}/events`, {
      headers: { authorization: `Bearer ${api.keys.viewer}` },
    });
    expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
    const stream = await events.text(); // the run is terminal: the stream ends by itself
    expect(stream).toMatch(/event: metric\ndata: \{"name":"loss","step":1,"value":0.5\}/);
    expect(stream).toMatch(/event: end\ndata: \{"status":"failed"\}/);

    const retried = await api.request('POST', `/runs/${fresh.id}/retry`, { key: api.keys.editor });
    expect(retried.status).toBe(200);
    expect(retried.body.fromStage).toBe('train');
    expect(retried.body.run.status).toBe('queued');
    expect(run.id).not.toBe(fresh.id);
    expect((await api.request('GET', `/runs/${fresh.id}`)).body.stages[0].status).toBe('succeeded');
  });
});

describe('models and aliases', () => {
  it('lists models and versions, moves an alias with If-Match, refuses a stale one with 412, rolls back', async () => {
    const models = await api.request('GET', '/models', { key: api.keys.viewer });
    expect(models.body.items[0]).toMatchObject({
      modelName: 'clicks-mf',
      versions: 2,
      latest: { version: 2 },
    });
    expect(
      (await api.request('GET', '/models/clicks-mf/versions')).body.items.map(
        (v: { version: number }) => v.version,
      ),
    ).toEqual([2, 1]);
    expect((await api.request('GET', `/model-versions/${fx.v1.id}`)).body.version).toBe(1);

    const created = await api.request('PUT', '/models/clicks-mf/aliases/production', {
      key: api.keys.editor,
      body: { version: 1 },
    });
    expect(created.status).toBe(200);
    expect(created.headers.get('etag')).toBe('"1"');
    const moved = await api.request('PUT', '/models/clicks-mf/aliases/production', {
      headers: { 'if-match': '"1"' },
      body: { modelVersionId: fx.v2.id, reason: 'better rmse' },
    });
    expect(moved.body.modelVersion.version).toBe(2);
    const stale = await api.request('PUT', '/models/clicks-mf/aliases/production', {
      headers: { 'if-match': '"1"' },
      body: { version: 1 },
    });
    expect(stale.status).toBe(412);
    const blind = await api.request('PUT', '/models/clicks-mf/aliases/production', { body: { version: 1 } });
    expect(blind.status).toBe(428);
    const got = await api.request('GET', '/models/clicks-mf/aliases/production', { key: api.keys.viewer });
    expect(got.headers.get('etag')).toBe('"2"');
    expect((await api.request('GET', '/models/clicks-mf/aliases')).body.items).toHaveLength(1);

    const rolledBack = await api.request('POST', '/models/clicks-mf/aliases/production/rollback', {
      body: { reason: 'conversion dropped' },
    });
    expect(rolledBack.body.modelVersion.version).toBe(1);
    expect(rolledBack.headers.get('etag')).toBe('"3"');
  });
});

describe('evaluations and deployments', () => {
  it('compares two evaluations and overrides a failed verdict as admin', async () => {
    const compared = await api.request('GET', `/evaluations/compare?a=${fx.e1.id}&b=${fx.e2.id}`, {
      key: api.keys.viewer,
    });
    expect(compared.body.sameData).toBe(true);
    const rmse = compared.body.metrics.find((m: { metric: string }) => m.metric === 'rmse');
    expect(rmse.difference).toBeCloseTo(-0.1, 10);
    expect(
      (await api.request('GET', `/evaluations?verdict=failed`)).body.items.map((e: { id: string }) => e.id),
    ).toEqual([fx.e2.id]);
    expect((await api.request('GET', `/evaluations/${fx.e1.id}`)).body.verdict).toBe('passed');
    const overridden = await api.request('POST', `/evaluations/${fx.e2.id}/override`, {
      key: api.keys.admin,
      body: { reason: 'ship for the holiday campaign' },
    });
    expect(overridden.body).toMatchObject({
      verdict: 'overridden',
      overrideReason: 'ship for the holiday campaign',
    });
    expect(overridden.body.overriddenBy).toBeTruthy();
    // Only a failed verdict can be overridden: not a passed one, not one overridden already.
    for (const id of [fx.e1.id, fx.e2.id]) {
      const refused = await api.request('POST', `/evaluations/${id}/override`, {
        key: api.keys.admin,
        body: { reason: 'ship it once more please' },
      });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('verdict_not_failed');
    }
  });

  it('deploys directly, retiring the previous direct deployment of the endpoint', async () => {
    const first = await api.request('POST', '/deployments', {
      body: { endpoint: 'recs', modelVersionId: fx.v1.id },
    });
    const second = await api.request('POST', '/deployments', {
      body: { endpoint: 'recs', modelVersionId: fx.v2.id },
    });
    expect(second.status).toBe(201);
    expect((await api.request('GET', `/deployments/${first.body.id}`)).body.status).toBe('retired');
    const active = await api.request('GET', '/deployments?endpoint=recs&status=active', {
      key: api.keys.viewer,
    });
    expect(active.body.items.map((d: { id: string }) => d.id)).toEqual([second.body.id]);
  });
});

describe('A/B tests', () => {
  it('creates, starts, reports per-variant rates with a z-test against the control, and stops', async () => {
    const created = await api.request('POST', '/ab-tests', {
      body: {
        name: 'mf-v2-vs-v1',
        endpoint: 'recs',
        experimentId: fx.experiment.id,
        variants: [
          { name: 'control', isControl: true, modelVersionId: fx.v1.id, weight: 0.5 },
          { name: 'challenger', modelVersionId: fx.v2.id, weight: 0.5 },
        ],
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await api.request('POST', `/ab-tests/${id}/start`)).body.status).toBe('running');
    expect((await api.request('POST', `/ab-tests/${id}/start`)).status).toBe(409);

    // 1000 units per variant; 200 vs 250 convert, written through the registry's intake.
    const [control, challenger] = [
      created.body.variants.find((v: { isControl: boolean }) => v.isControl),
      created.body.variants.find((v: { isControl: boolean }) => !v.isControl),
    ];
    const rows: NewAbEvent[] = [];
    for (const [variant, converted] of [
      [control, 200],
      [challenger, 250],
    ] as const) {
      for (let u = 0; u < 1000; u++) {
        const unitId = `${variant.name}-${u}`;
        rows.push({
          variantId: variant.id,
          type: 'exposure',
          unitId,
          idempotencyKey: `${unitId}:x`,
          occurredAt: new Date(),
          step: 0,
        });
        if (u < converted)
          rows.push({
            variantId: variant.id,
            type: 'outcome',
            unitId,
            metric: 'conversion',
            value: 1,
            idempotencyKey: `${unitId}:c`,
            occurredAt: new Date(),
            step: 0,
          });
      }
    }
    rows.push({
      variantId: control.id,
      type: 'exposure',
      unitId: 'control-0',
      idempotencyKey: 'dup',
      occurredAt: new Date(),
      step: 1,
    }); // seen twice: counts once
    await recordAbEvents(api.db.registry, id, rows);

    const report = await api.request('GET', `/ab-tests/${id}/report`, { key: api.keys.viewer });
    expect(report.status).toBe(200);
    const { analysis } = report.body;
    expect(
      Object.fromEntries(analysis.variants.map((v: { name: string; units: number }) => [v.name, v.units])),
    ).toEqual({ control: 1000, challenger: 1000 });
    const primary = analysis.treatments[0].primary;
    expect(primary).toMatchObject({
      metric: 'conversion',
      control: 0.2,
      treatment: 0.25,
      units: { control: 1000, treatment: 1000 },
    });
    // The fixed-horizon Wald test (unpooled, sample variances with n − 1 as Welch's) and the always-valid test of the same difference.
    const se = Math.sqrt((0.2 * 0.8) / 999 + (0.25 * 0.75) / 999);
    expect(primary.fixedHorizon.pValue).toBeCloseTo(2 * (1 - normalCdf(0.05 / se)), 10);
    expect(primary.sequential.pValue).toBeGreaterThan(primary.fixedHorizon.pValue); // peeking-proof costs evidence
    expect(primary.bayesian.probabilityTreatmentBetter).toBeGreaterThan(0.99);
    expect(analysis.sampleRatioMismatch.detected).toBe(false);
    expect(report.body).toMatchObject({
      status: 'running',
      decisionRule: 'sequential',
      steps: [0.1, 0.5],
      currentStep: 0,
      history: [],
    });
    expect(report.body.assignment.rule).toMatch(/no unit changes arm/);

    const stopped = await api.request('POST', `/ab-tests/${id}/stop`, {
      body: { decision: 'promote', reason: 'significant lift' },
    });
    expect(stopped.body).toMatchObject({ status: 'promoted', decision: 'promote' });
    expect(
      (await api.request('GET', '/ab-tests?status=promoted', { key: api.keys.viewer })).body.items,
    ).toHaveLength(1);
    expect((await api.request('GET', `/ab-tests/${id}`)).body.endedAt).not.toBeNull();
  });
});

describe('A/B tests on live traffic', () => {
  it('assigns units deterministically, routes the endpoint by assignment, and takes exposures and outcomes idempotently', async () => {
    const direct = await api.request('POST', '/deployments', {
      body: { endpoint: 'recs', modelVersionId: fx.v1.id },
    });
    const created = await api.request('POST', '/ab-tests', {
      body: {
        name: 'live-traffic',
        endpoint: 'recs',
        policy: { steps: [0.2] }, // one step: every unit is in the test, 20% of them treated
        variants: [
          { name: 'control', isControl: true, modelVersionId: fx.v1.id, weight: 0.8 },
          { name: 'treatment', modelVersionId: fx.v2.id, weight: 0.2 },
        ],
      },
    });
    const id = created.body.id;
    // A draft test neither assigns nor takes events.
    const early = await api.request('POST', `/ab-tests/${id}/assignments`, {
      key: api.keys.viewer,
      body: { unitIds: ['u-0'] },
    });
    expect([early.status, early.body.code]).toEqual([409, 'ab_test_not_running']);
    expect(
      (
        await api.request('POST', `/ab-tests/${id}/events`, {
          body: { events: [{ type: 'exposure', unitId: 'u-0' }] },
        })
      ).status,
    ).toBe(409);
    await api.request('POST', `/ab-tests/${id}/start`);

    // 2,000 units: about 20% in the treatment, and the same answer every time.
    const units = Array.from({ length: 2000 }, (_, i) => `u-${i}`);
    const variantOf = new Map<string, string>();
    for (const batch of [units.slice(0, 1000), units.slice(1000)]) {
      const answer = await api.request('POST', `/ab-tests/${id}/assignments`, {
        key: api.keys.viewer,
        body: { unitIds: batch },
      });
      expect(answer.status).toBe(200);
      for (const a of answer.body.assignments) {
        variantOf.set(a.unitId, a.variant);
        expect(a.modelVersionId).toBe(a.variant === 'treatment' ? fx.v2.id : fx.v1.id);
      }
    }
    const treated = units.filter((u) => variantOf.get(u) === 'treatment');
    expect(treated.length / units.length).toBeGreaterThan(0.16);
    expect(treated.length / units.length).toBeLessThan(0.24);
    const again = await api.request('POST', `/ab-tests/${id}/assignments`, {
      key: api.keys.viewer,
      body: { unitIds: units.slice(0, 50) },
    });
    expect(again.body.assignments.map((a: { variant: string }) => a.variant)).toEqual(
      units.slice(0, 50).map((u) => variantOf.get(u)),
    );

    // The endpoint routes each unit to its variant's model version while the test runs.
    const someTreated = treated[0]!;
    const route = await api.request('GET', `/endpoints/recs/route?unitId=${someTreated}`, {
      key: api.keys.viewer,
    });
    expect(route.body).toMatchObject({
      modelVersionId: fx.v2.id,
      abTest: { id, name: 'live-traffic', step: 0, variant: 'treatment' },
    });

    // Exposures for every unit; one in ten control units and one in five treated units convert.
    const exposures = units.map((unitId) => ({ type: 'exposure', unitId, variant: variantOf.get(unitId) }));
    for (const batch of [exposures.slice(0, 1000), exposures.slice(1000)]) {
      expect((await api.request('POST', `/ab-tests/${id}/events`, { body: { events: batch } })).body).toEqual(
        { accepted: 1000, duplicates: 0 },
      );
    }
    // A retried batch adds nothing.
    expect(
      (await api.request('POST', `/ab-tests/${id}/events`, { body: { events: exposures.slice(0, 1000) } }))
        .body,
    ).toEqual({ accepted: 0, duplicates: 1000 });
    const converting = units.filter((u, i) =>
      variantOf.get(u) === 'treatment' ? i % 5 === 0 : i % 10 === 0,
    );
    const outcomes = converting.map((unitId) => ({
      type: 'outcome',
      unitId,
      idempotencyKey: `order-${unitId}`,
    }));
    const recorded = await api.request('POST', `/ab-tests/${id}/events`, { body: { events: outcomes } });
    expect(recorded.status).toBe(202);
    expect(recorded.body).toEqual({ accepted: outcomes.length, duplicates: 0 });

    // A caller that served the wrong variant: the whole batch is refused, nothing recorded.
    const wrong = await api.request('POST', `/ab-tests/${id}/events`, {
      body: {
        events: [
          { type: 'exposure', unitId: 'new-unit' },
          { type: 'exposure', unitId: someTreated, variant: 'control' },
        ],
      },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({
      code: 'variant_mismatch',
      errors: [{ field: 'body.events.1.variant' }],
    });

    const report = await api.request('GET', `/ab-tests/${id}/report`, { key: api.keys.viewer });
    const primary = report.body.analysis.treatments[0].primary;
    expect(primary.units).toEqual({ treatment: treated.length, control: units.length - treated.length });
    expect(primary.treatment * treated.length).toBeCloseTo(
      converting.filter((u) => variantOf.get(u) === 'treatment').length,
      9,
    );
    expect(primary.control * (units.length - treated.length)).toBeCloseTo(
      converting.filter((u) => variantOf.get(u) === 'control').length,
      9,
    );
    expect(report.body.analysis.sampleRatioMismatch.detected).toBe(false);
    // Looks of the monitor are listed with their analysis (none yet: it did not run here).
    expect((await api.request('GET', `/ab-tests/${id}/decisions`, { key: api.keys.viewer })).body).toEqual({
      items: [],
    });

    // Once the test stops, the endpoint's active deployment serves everyone.
    await api.request('POST', `/ab-tests/${id}/stop`, { body: { decision: 'none' } });
    const after = await api.request('GET', `/endpoints/recs/route?unitId=${someTreated}`, {
      key: api.keys.viewer,
    });
    expect(after.body).toMatchObject({
      modelVersionId: fx.v1.id,
      abTest: null,
      deploymentId: direct.body.id,
    });
  });
});

describe('queues', () => {
  it('reports queue depth and failed jobs, and redrives a failed stage job', async () => {
    const stats = await api.request('GET', '/queues', { key: api.keys.viewer });
    expect(stats.body.items.map((q: { queue: string }) => q.queue)).toEqual([
      'ingest',
      'train',
      'evaluate',
      'deploy',
      'schedules',
      'scoring',
    ]);
    expect((await api.request('GET', '/queues/failed?limit=5', { key: api.keys.viewer })).body.items).toEqual(
      [],
    );
  });
});

describe('API keys and audit log', () => {
  it('creates a key shown once, stores only its hash, revokes it; every mutation is audited with the key id', async () => {
    const created = await api.request('POST', '/api-keys', {
      key: api.keys.admin,
      body: { name: 'ci', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^lathe_/);
    expect(created.body.hash).toBeUndefined();
    const stored = await api.db.registry.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(stored.hash).not.toContain(created.body.key);
    expect((await api.request('GET', '/datasets', { key: created.body.key })).status).toBe(200);
    const listed = await api.request('GET', '/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await api.request('DELETE', `/api-keys/${created.body.id}`)).body.revokedAt).not.toBeNull();
    expect((await api.request('GET', '/datasets', { key: created.body.key })).status).toBe(401);
    expect((await api.request('DELETE', `/api-keys/${api.keyIds.admin}`)).status).toBe(409);

    const audit = await api.request('GET', '/audit-log?entity=api_key&limit=1');
    expect(audit.body.items[0]).toMatchObject({
      action: 'api_key.revoke',
      apiKeyId: api.keyIds.admin,
      entityId: created.body.id,
    });
    const next = await api.request(
      'GET',
      `/audit-log?entity=api_key&limit=1&cursor=${audit.body.nextCursor}`,
    );
    expect(next.body.items[0].action).toBe('api_key.create');
    const editorActions = await api.request('GET', `/audit-log?apiKeyId=${api.keyIds.editor}&limit=500`);
    expect(editorActions.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining([
        'dataset.create',
        'experiment.create',
        'experiment.update',
        'run.start',
        'alias.move',
      ]),
    );
  });
});

describe('rate limiting', () => {
  it('answers 429 problem+json past the limit, counted in Redis', async () => {
    const limited = await startTestApi('ratelimit', { rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.request('GET', '/datasets')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const response = await limited.request('GET', '/datasets');
      expect(response.body.code).toBe('rate_limited');
      const keys = await limited.redis.connect().keys(`${limited.redis.prefix}:api-rate:*`);
      expect(keys.length).toBe(1);
    } finally {
      await limited.close();
    }
  });
});
