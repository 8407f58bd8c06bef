/**
 * "No secret is ever stored in the registry or returned by the API", tested where secrets could
 * leak: rows written the old way (a Postgres password in an experiment's source, in a dataset
 * version's metadata, in a run's params, stage outputs and errors, a model's signature, the audit
 * log) are read through EVERY GET route of the API, with a viewer key (and the admin key where a
 * route needs more); no response may hold a password, token, salt or key. Then the redaction
 * migration's SQL runs on the same rows and no row of any table holds one either. And the API
 * refuses a body that carries a secret, with a 422 naming the field and what to do instead.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import {
  completeScoringJob,
  createSchedule,
  createScoringJob,
  createSweep,
  MIGRATIONS_DIR,
  recordAudit,
  type Json,
} from '@lathe/registry';
import { roleOf, type RouteSpec } from '../../services/api/src/openapi/route-table.ts';
import { seed, startTestApi, type TestApi } from './api-harness.ts';

const PASSWORD = 'pw-0f3c9a-hunter2';
const TOKEN = 'tok-7d21e5-q9x';
const SALT = 'salt-5b8e2c-pepper';
const AWS_SECRET = 'wJalrXUtnFEMI-4a1b2c';
const USER_TOKEN = 'ghp-9c8b7a6d5e';
const SECRETS = [PASSWORD, TOKEN, SALT, AWS_SECRET, USER_TOKEN];

const warehouseUrl = `postgresql://warehouse:${PASSWORD}@db.example:5432/sales`;
const legacySource = {
  source: {
    kind: 'postgres',
    connectionString: warehouseUrl,
    query: 'SELECT customer, product, stars FROM ratings',
  },
  pii: { salt: SALT, columns: { password: 'remove' } },
};

let api: TestApi;
let fx: Awaited<ReturnType<typeof seed>>;
let ids: Record<string, string>;

/** The rows an older Lathe could have written, straight into the registry. */
async function legacyFixtures() {
  const registry = api.db.registry;
  const experiment = await registry.experiment.create({
    data: {
      name: 'legacy-warehouse',
      description: `copied from ${warehouseUrl}`,
      useCase: 'recommendation',
      modelFamily: 'mf',
      hyperparameters: { epochs: 2, apiToken: TOKEN },
      datasetId: fx.dataset.id,
      source: legacySource,
      gate: [],
      rolloutPolicy: {},
    },
  });
  await registry.experiment.create({
    data: {
      name: 'legacy-files',
      useCase: 'recommendation',
      modelFamily: 'mf',
      hyperparameters: {},
      datasetId: fx.dataset.id,
      source: { kind: 'url', url: `https://${USER_TOKEN}@files.example/ratings.csv?token=${TOKEN}` },
      gate: [],
      rolloutPolicy: {},
    },
  });
  await registry.experiment.create({
    data: {
      name: 'legacy-sample',
      useCase: 'recommendation',
      modelFamily: 'mf',
      hyperparameters: {},
      datasetId: fx.dataset.id,
      source: {
        kind: 'sample',
        name: 'synthetic-interactions',
        options: { aws: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: AWS_SECRET } },
      },
      gate: [],
      rolloutPolicy: {},
    },
  });
  const version = await registry.datasetVersion.create({
    data: {
      datasetId: fx.dataset.id,
      version: 2,
      parentId: fx.version.id,
      sha256: 'b'.repeat(64),
      uri: 'file:///tmp/y',
      format: 'jsonl',
      rows: 3,
      sizeBytes: 10n,
      schema: { columns: [{ name: 'customer' }] },
      profile: { columns: { customer: { kind: 'categorical', top: [{ value: 'c1', count: 3 }] } } },
      source: {
        kind: 'postgres',
        connectionString: warehouseUrl,
        database: warehouseUrl,
        query: 'SELECT 1',
        runId: null,
        droppedRows: 0,
      },
    },
  });
  const run = await registry.run.create({
    data: {
      experimentId: experiment.id,
      seed: 1,
      status: 'failed',
      trigger: 'api',
      params: {
        source: { kind: 'postgres', connectionString: warehouseUrl, query: 'SELECT 1' },
        hyperparameters: { authorization: `Bearer ${TOKEN}` },
      },
      errorCode: 'source_unreachable',
      errorMessage: `cannot connect to ${warehouseUrl}: timeout`,
      errorStage: 'ingest',
      datasetVersionId: version.id,
      startedAt: new Date(),
      finishedAt: new Date(),
      stages: {
        create: [
          {
            stage: 'ingest',
            status: 'failed',
            attempts: 1,
            output: { source: { connectionString: warehouseUrl } },
            errorCode: 'source_unreachable',
            errorMessage: `cannot connect to ${warehouseUrl}`,
          },
          { stage: 'train', status: 'pending' },
          { stage: 'evaluate', status: 'pending' },
          { stage: 'deploy', status: 'pending' },
        ],
      },
    },
  });
  await registry.runMetric.create({ data: { runId: run.id, name: 'loss', step: 1, value: 0.5 } });
  const model = await registry.modelVersion.create({
    data: {
      modelName: 'clicks-mf',
      version: 3,
      runId: run.id,
      useCase: 'recommendation',
      modelFamily: 'mf',
      artifactUri: 'file:///m/3',
      sha256: '3'.repeat(64),
      sizeBytes: 5n,
      signature: { trainedOn: { connectionString: warehouseUrl }, hyperparameters: { apiToken: TOKEN } },
    },
  });
  await recordAudit(registry, {
    apiKeyId: null,
    action: 'experiment.update',
    entity: 'experiment',
    entityId: experiment.id,
    before: { source: legacySource, hyperparameters: { apiToken: TOKEN } } as Json,
    after: JSON.parse(JSON.stringify(experiment)) as Json,
  });
  const schedule = await createSchedule(registry, { experimentId: experiment.id, cron: '0 3 * * *' });
  return { experiment, version, run, model, schedule };
}

beforeAll(async () => {
  const store = new LocalArtifactStore(mkdtempSync(join(tmpdir(), 'lathe-nosecrets-store-')));
  api = await startTestApi('nosecrets', {}, { artifacts: store });
  fx = await seed(api);
  // A finished scoring job (its output in the store) and a sweep, for their GET routes.
  const scoringJob = await createScoringJob(api.db.registry, {
    modelVersionId: fx.v1.id,
    datasetVersionId: fx.version.id,
    format: 'csv',
    keyColumns: [],
  });
  const output = await store.put(Buffer.from('score\n0.5\n'));
  await completeScoringJob(api.db.registry, scoringJob.id, {
    sha256: output.sha256,
    sizeBytes: output.sizeBytes,
    rows: 1,
  });
  const sweep = await createSweep(api.db.registry, {
    experimentId: fx.experiment.id,
    space: { strategy: 'grid', parameters: { epochs: [1, 2] } },
    metric: 'valLoss',
    direction: 'min',
  });
  const legacy = await legacyFixtures();
  // What the routes need to answer 200 (made through the API: nothing secret in them).
  const deployment = await api.request('POST', '/deployments', {
    body: { endpoint: 'recs', modelVersionId: fx.v1.id },
  });
  expect(deployment.status).toBe(201);
  expect(
    (await api.request('PUT', '/models/clicks-mf/aliases/production', { body: { version: 1 } })).status,
  ).toBeLessThan(300);
  const abTest = await api.request('POST', '/ab-tests', {
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
  expect(abTest.status).toBe(201);
  expect((await api.request('POST', `/ab-tests/${abTest.body.id}/start`)).status).toBe(200);
  ids = {
    datasets: fx.dataset.id,
    'dataset-versions': legacy.version.id,
    experiments: legacy.experiment.id,
    schedules: legacy.schedule.id,
    runs: legacy.run.id,
    'model-versions': legacy.model.id,
    evaluations: fx.e1.id,
    deployments: deployment.body.id,
    'ab-tests': abTest.body.id,
    'api-keys': api.keyIds.viewer,
    'scoring-jobs': scoringJob.id,
    sweeps: sweep.id,
  };
});
afterAll(() => api.close());

/** Extra query a route needs to answer 200. */
const QUERIES: Record<string, (ids: Record<string, string>) => string> = {
  '/evaluations/compare': () => `?a=${fx.e1.id}&b=${fx.e2.id}`,
  '/endpoints/:endpoint/route': () => '?unitId=u1',
  '/experiments': () => '?archived=all',
};

/** A concrete path for a route: its ids are the fixtures' (the first segment says whose). */
function concretePath(spec: RouteSpec): string {
  const collection = spec.path.split('/')[1]!;
  const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, (_, param: string) => {
    if (param === 'id') {
      const id = ids[collection];
      if (!id) throw new Error(`no fixture id for ${spec.path}: add one to the no-secrets test`);
      return id;
    }
    if (param === 'name') return 'clicks-mf';
    if (param === 'alias') return 'production';
    if (param === 'endpoint') return 'recs';
    if (param === 'queue') return 'train';
    throw new Error(`no fixture for :${param} in ${spec.path}: add one to the no-secrets test`);
  });
  return path + (QUERIES[spec.path]?.(ids) ?? '');
}

function expectNoSecret(what: string, text: string) {
  for (const secret of SECRETS) expect(text.includes(secret), `${what} returned ${secret}`).toBe(false);
}

/** Every GET route, with a viewer key (403 for admin routes) and, where it needs one, the admin key. */
async function readEveryGetRoute(): Promise<number> {
  const gets = api.lathe.routes.routes.filter((spec) => spec.method === 'get');
  let answered = 0;
  for (const spec of gets) {
    const path = concretePath(spec);
    const role = roleOf(spec);
    const asViewer = await api.request('GET', path, { key: api.keys.viewer });
    expectNoSecret(`GET ${path} (viewer)`, asViewer.text);
    const response =
      role === 'public' || role === 'viewer'
        ? asViewer
        : await api.request('GET', path, { key: api.keys.admin });
    if (response !== asViewer) {
      expect(asViewer.status, `GET ${spec.path} as viewer`).toBe(403);
      expectNoSecret(`GET ${path} (admin)`, response.text);
    }
    expect(response.status, `GET ${path}: ${response.text.slice(0, 300)}`).toBe(200);
    expect(response.text.length, `GET ${path} answered nothing`).toBeGreaterThan(0);
    answered++;
  }
  expect(answered).toBe(gets.length);
  return answered;
}

async function everyRowOfEveryTable(): Promise<Array<{ table: string; row: string }>> {
  const tables = await api.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [api.db.schema],
  );
  const rows: Array<{ table: string; row: string }> = [];
  for (const { table_name: table } of tables) {
    for (const { row } of await api.db.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM "${table}" t`,
    ))
      rows.push({ table, row });
  }
  return rows;
}

describe('no secret is returned by the API', () => {
  it('reads every GET route over rows holding secrets: no password, token, salt or key in any response', async () => {
    // The fixtures do hold them (the registry rows were written the old way).
    expect((await everyRowOfEveryTable()).some(({ row }) => row.includes(PASSWORD))).toBe(true);
    expect(await readEveryGetRoute()).toBeGreaterThanOrEqual(30);
  });

  it('redacts what it returns instead of dropping it: URL passwords and secret fields become ***', async () => {
    const experiment = (await api.request('GET', `/experiments/${ids.experiments}`, { key: api.keys.viewer }))
      .body;
    expect(experiment.source).toEqual({
      source: {
        kind: 'postgres',
        connectionString: 'postgresql://warehouse:***@db.example:5432/sales',
        query: 'SELECT customer, product, stars FROM ratings',
      },
      pii: { salt: '***', columns: { password: 'remove' } },
    });
    expect(experiment.hyperparameters).toEqual({ epochs: 2, apiToken: '***' });
    const files = (await api.request('GET', '/experiments?name=legacy-files', { key: api.keys.viewer })).body
      .items[0];
    expect(files.source.url).toBe('https://***@files.example/ratings.csv?token=***');
    const run = (await api.request('GET', `/runs/${ids.runs}`, { key: api.keys.viewer })).body;
    expect(run.errorMessage).toBe(
      'cannot connect to postgresql://warehouse:***@db.example:5432/sales: timeout',
    );
    expect(run.params.hyperparameters.authorization).toBe('***');
    const version = (
      await api.request('GET', `/dataset-versions/${ids['dataset-versions']}`, { key: api.keys.viewer })
    ).body;
    expect(version.source.database).toBe('postgresql://warehouse:***@db.example:5432/sales');
    expect(version.sizeBytes).toBe('10'); // BigInt still a string
  });

  it('after the redaction migration no row of any table holds a secret, and every route still answers', async () => {
    const sql = await readFile(
      join(MIGRATIONS_DIR, '20261204200000_redact_secrets', 'migration.sql'),
      'utf8',
    );
    await api.db.query(sql);
    for (const { table, row } of await everyRowOfEveryTable()) expectNoSecret(`table ${table}`, row);
    await readEveryGetRoute();
    const stored = await api.db.registry.experiment.findUniqueOrThrow({ where: { id: ids.experiments } });
    expect(stored.source).toEqual({
      source: {
        kind: 'postgres',
        connectionString: 'postgresql://warehouse:***@db.example:5432/sales',
        query: 'SELECT customer, product, stars FROM ratings',
      },
      pii: { salt: '***', columns: { password: 'remove' } },
    });
  });
});

describe('the API refuses a body that carries a secret', () => {
  const base = () => ({ useCase: 'recommendation', modelFamily: 'mf', datasetId: fx.dataset.id });
  const postgres = (extra: Record<string, unknown>) => ({
    kind: 'postgres',
    query: 'SELECT customer, product, stars FROM ratings',
    ...extra,
  });

  async function expectRefused(
    method: string,
    path: string,
    body: unknown,
    field: string,
    advice: RegExp,
    headers: Record<string, string> = {},
  ) {
    const response = await api.request(method, path, { key: api.keys.editor, body, headers });
    expect(response.status, response.text).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('secret_in_request');
    expect(response.body.errors[0].field).toBe(field);
    expect(response.body.errors[0].message).toMatch(advice);
    expect(response.body.detail).toContain(field);
    expectNoSecret(`${method} ${path}`, response.text);
    return response;
  }
  const namedConnection =
    /Lathe never stores secrets.*name a connection instead \(\{"kind": "postgres", "connection": "<name>", …\}\).*LATHE_CONNECTION_<NAME>_URL or LATHE_CONNECTIONS_FILE/;

  it('a connection string with a password: 422 naming body.source.connectionString, telling to use a named connection; nothing stored', async () => {
    const before = await api.db.registry.experiment.count();
    const refused = await expectRefused(
      'POST',
      '/experiments',
      { ...base(), name: 'inline-pw', source: postgres({ connectionString: warehouseUrl }) },
      'body.source.connectionString',
      namedConnection,
    );
    expect(refused.body.errors[0].message).toMatch(/^holds a password in a URL/);
    await expectRefused(
      'POST',
      '/experiments',
      {
        ...base(),
        name: 'inline-pw',
        source: postgres({ connectionString: `postgresql://h/db?password=${PASSWORD}` }),
      },
      'body.source.connectionString',
      namedConnection,
    );
    await expectRefused(
      'POST',
      '/experiments',
      { ...base(), name: 'inline-pw', source: postgres({ connection: 'warehouse', password: PASSWORD }) },
      'body.source.password',
      namedConnection,
    );
    expect(await api.db.registry.experiment.count()).toBe(before);
  });

  it('the same in a PATCH of the experiment and in a run’s source override', async () => {
    const created = await api.request('POST', '/experiments', {
      key: api.keys.editor,
      body: { ...base(), name: 'patch-me', source: postgres({ connection: 'warehouse' }) },
    });
    expect(created.status).toBe(201);
    await expectRefused(
      'PATCH',
      `/experiments/${created.body.id}`,
      { source: postgres({ connectionString: warehouseUrl }) },
      'body.source.connectionString',
      namedConnection,
      { 'if-match': '"1"' },
    );
    const runs = await api.db.registry.run.count();
    await expectRefused(
      'POST',
      `/experiments/${created.body.id}/runs`,
      { params: { source: postgres({ connectionString: warehouseUrl }) } },
      'body.params.source.connectionString',
      namedConnection,
    );
    expect(await api.db.registry.run.count()).toBe(runs);
    expect((await api.request('GET', `/experiments/${created.body.id}`)).body.source).toEqual(
      postgres({ connection: 'warehouse' }),
    );
  });

  it('tokens and credentials anywhere: a URL source, S3 keys, an Authorization field, the PII salt', async () => {
    const url = /give a URL the ingest workers can read without credentials/;
    await expectRefused(
      'POST',
      '/experiments',
      { ...base(), name: 'tok', source: { kind: 'url', url: `https://files.example/r.csv?token=${TOKEN}` } },
      'body.source.url',
      url,
    );
    await expectRefused(
      'POST',
      '/experiments',
      { ...base(), name: 'tok', source: { kind: 'url', url: `https://${USER_TOKEN}@files.example/r.csv` } },
      'body.source.url',
      url,
    );
    await expectRefused(
      'POST',
      '/experiments',
      {
        ...base(),
        name: 's3',
        source: { kind: 'sample', name: 'mnist', options: { secretAccessKey: AWS_SECRET } },
      },
      'body.source.options.secretAccessKey',
      namedConnection,
    );
    await expectRefused(
      'POST',
      '/experiments',
      { ...base(), name: 'hp', hyperparameters: { authorization: `Bearer ${TOKEN}` } },
      'body.hyperparameters.authorization',
      namedConnection,
    );
    await expectRefused(
      'POST',
      '/experiments',
      { ...base(), name: 'salt', source: { ...legacySource, source: postgres({ connection: 'warehouse' }) } },
      'body.source.pii.salt',
      /set LATHE_PII_SALT in the ingest workers' environment/,
    );
    await expectRefused(
      'POST',
      '/datasets',
      { name: 'described', useCase: 'tabular', description: `from ${warehouseUrl}` },
      'body.description',
      namedConnection,
    );
  });

  it('accepts what holds no secret: a named connection, a connection string without a password, a PII column named password', async () => {
    for (const [name, source] of [
      ['named', postgres({ connection: 'warehouse' })],
      ['no-password', postgres({ connectionString: 'postgresql://lathe@db.example:5432/sales' })],
      [
        'pii-columns',
        {
          source: postgres({ connection: 'warehouse' }),
          pii: { columns: { password: 'remove', api_token: 'hash' } },
        },
      ],
    ] as const) {
      const response = await api.request('POST', '/experiments', {
        key: api.keys.editor,
        body: { ...base(), name, source },
      });
      expect(response.status, `${name}: ${response.text}`).toBe(201);
      expect(response.body.source).toMatchObject(source);
    }
  });

  it('a malformed connection name or a source without one is a validation error saying what to write', async () => {
    const bad = await api.request('POST', '/experiments', {
      key: api.keys.editor,
      body: { ...base(), name: 'bad-name', source: postgres({ connection: 'Warehouse-EU' }) },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({
      field: 'body.source.connection',
      message: expect.stringMatching(/lower-case letters, digits and "_"/),
    });
    const none = await api.request('POST', '/experiments', {
      key: api.keys.editor,
      body: { ...base(), name: 'no-conn', source: postgres({}) },
    });
    expect(none.status).toBe(422);
    expect(
      none.body.errors.map((e: { field: string; message: string }) => `${e.field}: ${e.message}`).join('\n'),
    ).toMatch(/body\.source\.connection: a Postgres source needs a connection/);
  });
});
