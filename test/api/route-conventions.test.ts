/**
 * Every route, table-driven: missing key → 401, a key below the route's role → 403, a
 * malformed param/query/body → 422, an id that does not exist → 404; all as problem+json.
 * The table must name every route the app mounts, so a new route cannot skip these checks;
 * and every mounted route must be in the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleOf } from '../../services/api/src/openapi/route-table.ts';
import { startTestApi, seed, type TestApi, type TestResponse } from './api-harness.ts';

let api: TestApi;
let fixtures: Awaited<ReturnType<typeof seed>>;
const ghost = randomUUID();

interface Case {
  /** Concrete path with ids that do not exist (404), or null where "not found" has no meaning (lists). */
  notFound: string | null;
  /** A valid body, so that the 404 (not a 422) is what answers. */
  body?: unknown;
  /** A request that must fail validation. */
  invalid: { path: string; body?: unknown };
}

const table = (): Record<string, Case> => ({
  'GET /healthz': { notFound: null, invalid: { path: '/healthz' } },
  'GET /readyz': { notFound: null, invalid: { path: '/readyz' } },
  'GET /metrics': { notFound: null, invalid: { path: '/metrics' } },
  'GET /openapi.json': { notFound: null, invalid: { path: '/openapi.json' } },
  'POST /datasets': { notFound: null, invalid: { path: '/datasets', body: { name: '', useCase: 'poetry' } } },
  'GET /datasets': { notFound: null, invalid: { path: '/datasets?limit=0' } },
  'GET /datasets/:id': { notFound: `/datasets/${ghost}`, invalid: { path: '/datasets/nope' } },
  'GET /datasets/:id/privacy': {
    notFound: `/datasets/${ghost}/privacy`,
    invalid: { path: '/datasets/nope/privacy' },
  },
  'GET /datasets/:id/versions': {
    notFound: `/datasets/${ghost}/versions`,
    invalid: { path: `/datasets/${ghost}/versions?limit=abc` },
  },
  'POST /datasets/:id/versions': {
    notFound: `/datasets/${ghost}/versions?format=csv`,
    invalid: { path: `/datasets/${ghost}/versions?format=xlsx` },
  },
  'GET /model-families': { notFound: null, invalid: { path: '/model-families?useCase=poetry' } },
  'POST /dataset-uploads': {
    notFound: null,
    invalid: { path: '/dataset-uploads?name=customers&useCase=poetry' },
  },
  'GET /dataset-versions/:id': {
    notFound: `/dataset-versions/${ghost}`,
    invalid: { path: '/dataset-versions/1' },
  },
  'GET /dataset-versions/:id/profile': {
    notFound: `/dataset-versions/${ghost}/profile`,
    invalid: { path: '/dataset-versions/x/profile' },
  },
  'GET /dataset-versions/:id/drift': {
    notFound: `/dataset-versions/${ghost}/drift`,
    invalid: { path: '/dataset-versions/x/drift' },
  },
  'POST /experiments': {
    notFound: '/experiments',
    body: { name: 'ghostly', useCase: 'recommendation', modelFamily: 'mf', datasetId: ghost },
    invalid: {
      path: '/experiments',
      body: {
        name: 'x',
        useCase: 'recommendation',
        modelFamily: 'mf',
        datasetId: ghost,
        gate: [{ metric: 'rmse' }],
      },
    },
  },
  'GET /experiments': { notFound: null, invalid: { path: '/experiments?sort=random' } },
  'GET /experiments/:id': { notFound: `/experiments/${ghost}`, invalid: { path: '/experiments/123' } },
  'PATCH /experiments/:id': {
    notFound: `/experiments/${ghost}`,
    body: { description: 'x' },
    invalid: { path: `/experiments/${ghost}`, body: { revision: 9 } },
  },
  'DELETE /experiments/:id': { notFound: `/experiments/${ghost}`, invalid: { path: '/experiments/zzz' } },
  'POST /experiments/:id/schedules': {
    notFound: `/experiments/${ghost}/schedules`,
    body: { cron: '0 3 * * *' },
    invalid: { path: `/experiments/${ghost}/schedules`, body: { cron: 5 } },
  },
  'GET /schedules': { notFound: null, invalid: { path: '/schedules?enabled=maybe' } },
  'GET /schedules/:id': { notFound: `/schedules/${ghost}`, invalid: { path: '/schedules/1' } },
  'PATCH /schedules/:id': {
    notFound: `/schedules/${ghost}`,
    body: { enabled: false },
    invalid: { path: `/schedules/${ghost}`, body: { enabled: 'no' } },
  },
  'DELETE /schedules/:id': { notFound: `/schedules/${ghost}`, invalid: { path: '/schedules/1' } },
  'POST /experiments/:id/runs': {
    notFound: `/experiments/${ghost}/runs`,
    body: {},
    invalid: { path: `/experiments/${ghost}/runs`, body: { seed: -1 } },
  },
  'GET /runs': { notFound: null, invalid: { path: '/runs?status=exploded' } },
  'GET /runs/:id': { notFound: `/runs/${ghost}`, invalid: { path: '/runs/r1' } },
  'POST /runs/:id/cancel': { notFound: `/runs/${ghost}/cancel`, invalid: { path: '/runs/r1/cancel' } },
  'POST /runs/:id/retry': { notFound: `/runs/${ghost}/retry`, invalid: { path: '/runs/r1/retry' } },
  'POST /runs/:id/reproduce': {
    notFound: `/runs/${ghost}/reproduce`,
    invalid: { path: '/runs/r1/reproduce' },
  },
  'GET /runs/:id/metrics': { notFound: `/runs/${ghost}/metrics`, invalid: { path: '/runs/r1/metrics' } },
  'GET /runs/:id/logs': { notFound: `/runs/${ghost}/logs`, invalid: { path: '/runs/r1/logs' } },
  'GET /runs/:id/events': { notFound: `/runs/${ghost}/events`, invalid: { path: '/runs/r1/events' } },
  'GET /models': { notFound: null, invalid: { path: '/models?useCase=astrology' } },
  'GET /models/:name/versions': {
    notFound: '/models/no-such-model/versions',
    invalid: { path: '/models/%20bad/versions' },
  },
  'GET /model-versions/:id': { notFound: `/model-versions/${ghost}`, invalid: { path: '/model-versions/7' } },
  'POST /model-versions/:id/score': {
    notFound: `/model-versions/${ghost}/score`,
    body: { datasetVersionId: ghost },
    invalid: { path: '/model-versions/7/score', body: { datasetVersionId: 'x' } },
  },
  'POST /model-versions/:id/evaluations': {
    notFound: `/model-versions/${ghost}/evaluations`,
    body: { datasetVersionId: ghost },
    invalid: {
      path: `/model-versions/${ghost}/evaluations`,
      body: { datasetVersionId: ghost, split: 'holdout' },
    },
  },
  'POST /model-versions/:id/score/file': {
    notFound: `/model-versions/${ghost}/score/file?format=csv`,
    invalid: { path: `/model-versions/${ghost}/score/file?output=xlsx` },
  },
  'GET /scoring-jobs/:id': { notFound: `/scoring-jobs/${ghost}`, invalid: { path: '/scoring-jobs/7' } },
  'GET /scoring-jobs/:id/output': {
    notFound: `/scoring-jobs/${ghost}/output`,
    invalid: { path: '/scoring-jobs/7/output' },
  },
  'POST /experiments/:id/sweeps': {
    notFound: `/experiments/${ghost}/sweeps`,
    body: { space: { strategy: 'grid', parameters: { epochs: [1, 2] } } },
    invalid: { path: `/experiments/${ghost}/sweeps`, body: { space: {}, metric: '' } },
  },
  'GET /experiments/:id/sweeps': {
    notFound: `/experiments/${ghost}/sweeps`,
    invalid: { path: '/experiments/7/sweeps' },
  },
  'GET /sweeps/:id': { notFound: `/sweeps/${ghost}`, invalid: { path: '/sweeps/7' } },
  'POST /sweeps/:id/promote': {
    notFound: `/sweeps/${ghost}/promote`,
    body: {},
    invalid: { path: '/sweeps/7/promote', body: { runId: 'x' } },
  },
  'GET /models/:name/aliases': {
    notFound: '/models/no-such-model/aliases',
    invalid: { path: '/models/-x/aliases' },
  },
  'GET /models/:name/aliases/:alias': {
    notFound: '/models/clicks-mf/aliases/nothing',
    invalid: { path: '/models/clicks-mf/aliases/UPPER' },
  },
  'PUT /models/:name/aliases/:alias': {
    notFound: '/models/clicks-mf/aliases/fresh',
    body: { version: 99 },
    invalid: { path: '/models/clicks-mf/aliases/fresh', body: { version: 1, modelVersionId: ghost } },
  },
  'POST /models/:name/aliases/:alias/rollback': {
    notFound: '/models/clicks-mf/aliases/nothing/rollback',
    body: {},
    invalid: { path: '/models/clicks-mf/aliases/nothing/rollback', body: { reason: 42 } },
  },
  'GET /evaluations': { notFound: null, invalid: { path: '/evaluations?verdict=maybe' } },
  'GET /evaluations/compare': {
    notFound: `/evaluations/compare?a=${ghost}&b=${ghost}`,
    invalid: { path: '/evaluations/compare?a=1' },
  },
  'GET /evaluations/:id': { notFound: `/evaluations/${ghost}`, invalid: { path: '/evaluations/1' } },
  'POST /evaluations/:id/override': {
    notFound: `/evaluations/${ghost}/override`,
    body: { reason: 'business needs it now' },
    invalid: { path: `/evaluations/${ghost}/override`, body: { reason: 'short' } },
  },
  'GET /deployments': { notFound: null, invalid: { path: '/deployments?status=on-fire' } },
  'GET /deployments/:id': { notFound: `/deployments/${ghost}`, invalid: { path: '/deployments/1' } },
  'POST /deployments': {
    notFound: '/deployments',
    body: { endpoint: 'recs', modelVersionId: ghost },
    invalid: { path: '/deployments', body: { endpoint: 'Bad Endpoint!', modelVersionId: ghost } },
  },
  'POST /deployments/:id/switch': {
    notFound: `/deployments/${ghost}/switch`,
    invalid: { path: '/deployments/1/switch' },
  },
  'POST /deployments/:id/stop': {
    notFound: `/deployments/${ghost}/stop`,
    body: { reason: 'ghost' },
    invalid: { path: `/deployments/${ghost}/stop`, body: { reason: '' } },
  },
  'POST /ab-tests': {
    notFound: '/ab-tests',
    body: {
      name: 'ghost-test',
      endpoint: 'recs',
      variants: [
        { name: 'a', isControl: true, modelVersionId: ghost, weight: 0.5 },
        { name: 'b', modelVersionId: ghost, weight: 0.5 },
      ],
    },
    invalid: {
      path: '/ab-tests',
      body: {
        name: 't',
        endpoint: 'recs',
        variants: [
          { name: 'a', modelVersionId: ghost, weight: 0.7 },
          { name: 'b', modelVersionId: ghost, weight: 0.7 },
        ],
      },
    },
  },
  'GET /ab-tests': { notFound: null, invalid: { path: '/ab-tests?status=paused' } },
  'GET /ab-tests/:id': { notFound: `/ab-tests/${ghost}`, invalid: { path: '/ab-tests/1' } },
  'POST /ab-tests/:id/start': {
    notFound: `/ab-tests/${ghost}/start`,
    invalid: { path: '/ab-tests/1/start' },
  },
  'POST /ab-tests/:id/stop': {
    notFound: `/ab-tests/${ghost}/stop`,
    body: {},
    invalid: { path: `/ab-tests/${ghost}/stop`, body: { decision: 'flip-a-coin' } },
  },
  'GET /ab-tests/:id/report': {
    notFound: `/ab-tests/${ghost}/report`,
    invalid: { path: '/ab-tests/1/report' },
  },
  'GET /ab-tests/:id/decisions': {
    notFound: `/ab-tests/${ghost}/decisions`,
    invalid: { path: `/ab-tests/${ghost}/decisions?limit=0` },
  },
  'POST /ab-tests/plan': {
    notFound: null,
    body: { baseline: 0.05, unitsPerHour: 100 },
    invalid: { path: '/ab-tests/plan', body: { baseline: -1, unitsPerHour: 100 } },
  },
  'POST /ab-tests/:id/assignments': {
    notFound: `/ab-tests/${ghost}/assignments`,
    body: { unitIds: ['u1'] },
    invalid: { path: `/ab-tests/${ghost}/assignments`, body: { unitIds: [] } },
  },
  'POST /ab-tests/:id/events': {
    notFound: `/ab-tests/${ghost}/events`,
    body: { events: [{ type: 'exposure', unitId: 'u1' }] },
    invalid: {
      path: `/ab-tests/${ghost}/events`,
      body: { events: [{ type: 'outcome', unitId: 'u1', metric: 'conversion' }] },
    },
  },
  'GET /endpoints/:endpoint/route': {
    notFound: '/endpoints/no-such-endpoint/route?unitId=u1',
    invalid: { path: '/endpoints/Bad%20Endpoint/route?unitId=u1' },
  },
  'GET /queues': { notFound: null, invalid: { path: '/queues' } },
  'GET /queues/failed': { notFound: null, invalid: { path: '/queues/failed?queue=nope' } },
  'GET /queues/:queue/backlog': { notFound: null, invalid: { path: '/queues/nope/backlog' } },
  'POST /queues/failed/:jobId/redrive': {
    notFound: '/queues/failed/no-such-job/redrive',
    invalid: { path: '/queues/failed/bad%20id/redrive' },
  },
  'POST /api-keys': { notFound: null, invalid: { path: '/api-keys', body: { name: 'x', role: 'owner' } } },
  'GET /api-keys': { notFound: null, invalid: { path: '/api-keys?includeRevoked=yes' } },
  'DELETE /api-keys/:id': { notFound: `/api-keys/${ghost}`, invalid: { path: '/api-keys/1' } },
  'GET /audit-log': { notFound: null, invalid: { path: '/audit-log?cursor=abc' } },
});

/** Routes that take no input at all: nothing to validate. */
const NO_INPUT = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json', 'GET /queues']);

beforeAll(async () => {
  api = await startTestApi('routes');
  fixtures = await seed(api);
});
afterAll(() => api.close());

const routeKey = (spec: { method: string; path: string }) => `${spec.method.toUpperCase()} ${spec.path}`;

function expectProblem(
  response: { status: number; headers: Headers; body: TestResponse['body'] },
  status: number,
) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
  });
  expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.ts:\d+/); // never a stack trace
}

describe('route table', () => {
  it('has a test case for every mounted route, and every mounted route is in /openapi.json', async () => {
    const mounted = api.lathe.routes.routes.map(routeKey).sort();
    expect(Object.keys(table()).sort()).toEqual(mounted);

    // Express's own router, not our table: nothing is mounted behind the document's back.
    const stack = (
      api.lathe.app as unknown as {
        router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
      }
    ).router.stack;
    const expressRoutes = stack
      .filter((layer) => layer.route)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`),
      );
    expect(expressRoutes.sort()).toEqual(mounted);

    const document = (await api.request('GET', '/openapi.json', { key: null })).body;
    expect(document.openapi).toBe('3.1.0');
    for (const spec of api.lathe.routes.routes) {
      const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect(document.paths[path]?.[spec.method], `${routeKey(spec)} is not documented`).toBeDefined();
    }
  });
});

describe('every route', () => {
  it('refuses a request without a key with 401 (public probes and the document excepted)', async () => {
    for (const spec of api.lathe.routes.routes) {
      const path = table()[routeKey(spec)]!.invalid.path;
      const response = await api.request(spec.method.toUpperCase(), path, { key: null });
      if (roleOf(spec) === 'public') expect(response.status, routeKey(spec)).toBeLessThan(500);
      else expectProblem(response, 401);
    }
  });

  it('refuses an unknown key with 401', async () => {
    const response = await api.request('GET', '/datasets', { key: 'lathe_not-a-real-key' });
    expectProblem(response, 401);
    expect(response.body.code).toBe('invalid_api_key');
  });

  it('refuses a key below the route role with 403', async () => {
    let checked = 0;
    for (const spec of api.lathe.routes.routes) {
      const role = roleOf(spec);
      if (role === 'public' || role === 'viewer') continue;
      const below = role === 'admin' ? api.keys.editor : api.keys.viewer;
      const response = await api.request(spec.method.toUpperCase(), table()[routeKey(spec)]!.invalid.path, {
        key: below,
        ...(spec.method === 'get' ? {} : { body: {} }),
      });
      expectProblem(response, 403);
      expect(response.body.code, routeKey(spec)).toBe('insufficient_role');
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(23);
  });

  it('answers malformed params, query or body with 422 naming the field', async () => {
    for (const spec of api.lathe.routes.routes) {
      const key = routeKey(spec);
      if (NO_INPUT.has(key)) continue;
      const { path, body } = table()[key]!.invalid;
      const response = await api.request(spec.method.toUpperCase(), path, {
        ...(body !== undefined ? { body } : {}),
      });
      expectProblem(response, 422);
      expect(response.body.errors?.length, key).toBeGreaterThan(0);
      expect(response.body.errors[0].field, key).toMatch(/^(params|query|body|headers)/);
    }
  });

  it('answers ids that do not exist with 404', async () => {
    let checked = 0;
    for (const spec of api.lathe.routes.routes) {
      const testCase = table()[routeKey(spec)]!;
      if (!testCase.notFound) continue;
      const headers: Record<string, string> = { 'if-match': '"1"' };
      const options =
        spec.path === '/datasets/:id/versions' && spec.method === 'post'
          ? { rawBody: 'a,b\n1,2\n', headers: { ...headers, 'content-type': 'text/csv' } }
          : { headers, ...(testCase.body !== undefined ? { body: testCase.body } : {}) };
      const response = await api.request(spec.method.toUpperCase(), testCase.notFound, options);
      expectProblem(response, 404);
      checked++;
    }
    expect(checked).toBeGreaterThan(35);
  });

  it('answers an unknown route with a 404 problem', async () => {
    expectProblem(await api.request('GET', '/no/such/route'), 404);
  });

  it('uses the seeded rows (sanity of the fixtures)', () => {
    expect(fixtures.v2.version).toBe(2);
  });
});
