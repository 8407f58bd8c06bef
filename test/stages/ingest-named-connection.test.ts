/**
 * Ingest through a named connection, end to end: the test database plays the business
 * "warehouse" (a table made here), its URL with a password is in the ingest worker's
 * configuration only (LATHE_CONNECTION_WAREHOUSE_URL, and LATHE_CONNECTIONS_FILE for a second
 * connection, read by the same connectionsFromEnv the worker's main uses), and the experiment,
 * created through the API, only names it. Runs go API → queue → the real ingest handler →
 * dataset version; the password is in no row of the registry and in no API response. An
 * unknown name fails the run's ingest with `unknown_connection` naming the known ones.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { connectionsFromEnv, piiSaltFromEnv, readRows } from '@lathe/data';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import { createIngestHandler } from '../../services/ingest/src/handler.ts';
import { createIngestSource } from '../../services/ingest/src/ingest-source.ts';
import { startTestApi, type TestApi } from '../api/api-harness.ts';
import { deployNothing, recordedVerdict, untrainedModel } from '../harness/index.ts';
import { waitFor } from '../pipeline/support.ts';

let api: TestApi;
let workers: WorkerGroup;
let dir: string;
let store: LocalArtifactStore;
let password: string;
let datasetId: string;

/** The test database's URL with a password: the one it has, or one trust authentication ignores. */
function warehouseUrl(): string {
  const url = new URL(api.db.databaseUrl);
  if (!url.password) url.password = `wh-pw-${Math.random().toString(36).slice(2, 10)}`;
  password = decodeURIComponent(url.password);
  return url.toString();
}

beforeAll(async () => {
  api = await startTestApi('named-conn');
  dir = await mkdtemp(join(tmpdir(), 'lathe-named-conn-'));
  store = new LocalArtifactStore(join(dir, 'store'));
  // The warehouse table, in the test's own schema of the test database.
  await api.db.query(`CREATE TABLE customers (customer text, tenure int, spend numeric, churned text)`);
  await api.db.query(
    `INSERT INTO customers SELECT 'c' || g, g % 24, (g * 7) % 100, CASE WHEN g % 3 = 0 THEN 'yes' ELSE 'no' END FROM generate_series(1, 300) g`,
  );
  const url = warehouseUrl();
  const file = join(dir, 'connections.json');
  await writeFile(file, JSON.stringify({ files_wh: { url } }));
  // What services/ingest/src/main.ts does with process.env.
  const connections = connectionsFromEnv({
    LATHE_CONNECTION_WAREHOUSE_URL: url,
    LATHE_CONNECTIONS_FILE: file,
    PATH: process.env.PATH,
  });
  workers = await startWorkers({
    pipeline: api.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: createIngestHandler({
        // A hash policy needs the workers' salt: main.ts reads LATHE_PII_SALT the same way.
        ingestSource: createIngestSource({
          store,
          connections,
          piiSalt: piiSaltFromEnv({ LATHE_PII_SALT: 'named-conn-test-salt' }),
        }),
      }),
      train: untrainedModel,
      evaluate: recordedVerdict(),
      deploy: deployNothing,
    },
  });
  const dataset = await api.request('POST', '/datasets', {
    key: api.keys.editor,
    body: { name: 'customers', useCase: 'tabular' },
  });
  expect(dataset.status).toBe(201);
  datasetId = dataset.body.id;
});

afterAll(async () => {
  await workers?.close();
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

const query = (limit?: number) =>
  `SELECT customer, tenure, spend, churned FROM "${api.db.schema}".customers ORDER BY customer${limit ? ` LIMIT ${limit}` : ''}`;

async function experimentWith(name: string, connection: string) {
  const response = await api.request('POST', '/experiments', {
    key: api.keys.editor,
    body: {
      name,
      useCase: 'tabular',
      modelFamily: 'mlp',
      datasetId,
      cacheEnabled: false,
      source: {
        source: { kind: 'postgres', connection, query: query() },
        columnMap: { target: 'churned', exclude: ['customer'] },
        pii: { columns: { customer: 'hash' } },
      },
    },
  });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; source: unknown };
}

async function runToEnd(experimentId: string, body: unknown = {}) {
  const started = await api.request('POST', `/experiments/${experimentId}/runs`, {
    key: api.keys.editor,
    body,
  });
  expect(started.status, started.text).toBe(201);
  return waitFor(
    `run ${started.body.id} to end`,
    async () => {
      const run = await api.request('GET', `/runs/${started.body.id}`, { key: api.keys.viewer });
      return ['succeeded', 'failed', 'cancelled'].includes(run.body.status) ? run.body : null;
    },
    60_000,
  );
}

async function expectPasswordNowhere() {
  const tables = await api.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [api.db.schema],
  );
  for (const { table_name: table } of tables) {
    for (const { row } of await api.db.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM "${table}" t`,
    )) {
      expect(row.includes(password), `a row of ${table} holds the warehouse password`).toBe(false);
    }
  }
  for (const path of [
    '/experiments?archived=all',
    `/datasets/${datasetId}/versions`,
    '/runs',
    '/queues/failed',
  ]) {
    const response = await api.request('GET', path);
    expect(response.status).toBe(200);
    expect(response.text.includes(password), `GET ${path} returned the warehouse password`).toBe(false);
  }
}

describe('ingest through a named connection', () => {
  it('reads the warehouse by name (environment variable and connections file) into a dataset version; the password is stored nowhere', async () => {
    expect(password.length).toBeGreaterThan(0);
    const experiment = await experimentWith('churn-warehouse', 'warehouse');
    expect(experiment.source).toMatchObject({ source: { kind: 'postgres', connection: 'warehouse' } });
    const run = await runToEnd(experiment.id);
    expect(run.status, `${run.errorCode}: ${run.errorMessage}`).toBe('succeeded');

    const { datasetVersionId } = await api.db.registry.run.findUniqueOrThrow({ where: { id: run.id } });
    const version = (
      await api.request('GET', `/dataset-versions/${datasetVersionId}`, { key: api.keys.viewer })
    ).body;
    expect(version.rows).toBe(300);
    const url = new URL(api.db.databaseUrl);
    expect(version.source).toEqual({
      kind: 'postgres',
      connection: 'warehouse',
      query: query(),
      database: `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`,
      runId: run.id,
      droppedRows: 0,
    });
    const rows: Array<{ features: Record<string, unknown>; target: unknown }> = [];
    for await (const row of readRows(store, version.sha256, 'tabular')) rows.push(row as never);
    expect(rows).toHaveLength(300);
    expect(rows[0]).toEqual({ features: { tenure: 1, spend: 7 }, target: 'no' });

    // The same table through the connection from LATHE_CONNECTIONS_FILE, and a run's own source.
    const fromFile = await experimentWith('churn-files', 'files_wh');
    expect((await runToEnd(fromFile.id)).status).toBe('succeeded');
    const override = await runToEnd(fromFile.id, {
      params: {
        source: {
          source: { kind: 'postgres', connection: 'warehouse', query: query(120) },
          columnMap: { target: 'churned', exclude: ['customer'] },
        },
      },
    });
    expect(override.status, `${override.errorCode}: ${override.errorMessage}`).toBe('succeeded');
    const overridden = await api.db.registry.run.findUniqueOrThrow({
      where: { id: override.id },
      include: { datasetVersion: true },
    });
    expect(overridden.datasetVersion?.rows).toBe(120);
    await expectPasswordNowhere();
  });

  it('an unknown connection name fails the ingest with unknown_connection, naming the known ones', async () => {
    const experiment = await experimentWith('churn-typo', 'warehous');
    const run = await runToEnd(experiment.id);
    expect(run).toMatchObject({ status: 'failed', errorStage: 'ingest', errorCode: 'unknown_connection' });
    expect(run.errorMessage).toMatch(
      /no connection named "warehous" in the ingest workers' configuration \(the known ones are files_wh, warehouse\); define it with LATHE_CONNECTION_WAREHOUS_URL or in LATHE_CONNECTIONS_FILE/,
    );
    // A permanent error: one attempt, not three.
    expect(run.stages.find((s: { stage: string }) => s.stage === 'ingest').attempts).toBe(1);
    const logs = await api.request('GET', `/runs/${run.id}/logs`, { key: api.keys.viewer });
    expect(logs.text).toContain('unknown_connection');
    await expectPasswordNowhere();
  });
});
