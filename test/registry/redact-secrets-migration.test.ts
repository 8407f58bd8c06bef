/**
 * The redact_secrets migration on rows an older Lathe wrote: a schema migrated up to the
 * migration before it gets rows holding secrets in every column the migration rewrites, then the
 * real runner applies the rest. Each secret is replaced by `***` exactly as @lathe/core's
 * redactSecrets / redactText do (the SQL and the TypeScript rules must agree), everything else is
 * left alone, the helper functions are gone, and the ingest stage refuses a redacted spec with a
 * message saying to name a connection.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets, redactText } from '@lathe/core';
import { toIngestSpec } from '@lathe/data';
import {
  createRegistry,
  migrate,
  MIGRATIONS_DIR,
  readMigrations,
  recordAudit,
  type Json,
  type Registry,
} from '@lathe/registry';
import { requireServices } from '../harness/index.ts';

const MIGRATION = '20261204200000_redact_secrets';
const PASSWORD = 'pw-77a1c3-hunter2';
const TOKEN = 'tok-2b9d41';
const SALT = 'salt-c0ffee-pepper';
const url = `postgresql://warehouse:${PASSWORD}@db.example:5432/sales`;

const { databaseUrl } = requireServices();
const schema = `test_redact_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, options: `-c search_path="${schema}"` });
let registry: Registry;
let dir: string;
let applied: string[];

/** Values the SQL must redact exactly as the TypeScript does: one audit row each. */
const PARITY: unknown[] = [
  { kind: 'postgres', connectionString: url, query: 'SELECT password FROM users' },
  {
    source: { kind: 'postgres', connectionString: `postgres://u@h/db?sslmode=require&password=${PASSWORD}` },
    pii: { salt: SALT, scanText: true, columns: { password: 'remove', api_token: 'hash' } },
  },
  { kind: 'url', url: `https://${TOKEN}@files.example/r.csv?token=${TOKEN}&format=csv` },
  {
    headers: { Authorization: `Bearer ${TOKEN}`, 'X-Api-Key': TOKEN, accept: 'text/csv' },
    aws: { accessKeyId: 'AKIA1', secretAccessKey: TOKEN, region: 'eu-west-1' },
  },
  {
    dbPassword: PASSWORD,
    db_password: '',
    passThrough: 'yes',
    apiKeyId: 'k1',
    idempotencyKey: 'i1',
    maxTokens: 5,
    token: 12,
    tokenizer: 'bpe',
  },
  {
    errors: [
      `cannot connect to ${url}: timeout`,
      `host=db user=lathe password=${PASSWORD} dbname=sales`,
      'https://example.com/a?email=x@y.com',
    ],
  },
  {
    nested: [
      [{ clientSecret: TOKEN }],
      { deeper: { X_AMZ: `https://b.s3/k?X-Amz-Signature=${TOKEN}&X-Amz-Credential=${TOKEN}` } },
    ],
  },
  { abTest: { salt: 'ab-assignment-seed' }, pii: { salt: '' }, PII: { Salt: SALT } },
  'a bare string with postgresql://u:p@h/db inside',
  [`sig=${TOKEN}`, 42, null, true],
  { nothing: 'secret', here: [1, 2, 3], at: '2026-01-01T00:00:00.000Z' },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-redact-'));
  const all = await readMigrations(MIGRATIONS_DIR);
  expect(all.map((m) => m.name)).toContain(MIGRATION);
  // Every migration but this one, so the rows below are written by today's client (later
  // migrations only add to the schema) and the runner then applies this one, out of order.
  for (const migration of all.filter((m) => m.name !== MIGRATION))
    await cp(join(MIGRATIONS_DIR, migration.name), join(dir, migration.name), { recursive: true });
  await migrate({ databaseUrl, migrationsDir: dir, schema });
  registry = createRegistry({ databaseUrl, schema, maxConnections: 2 });

  // Rows as they were written before secrets were refused.
  const dataset = await registry.dataset.create({
    data: { name: 'ratings', useCase: 'recommendation', description: `from ${url}` },
  });
  const version = await registry.datasetVersion.create({
    data: {
      datasetId: dataset.id,
      version: 1,
      sha256: 'a'.repeat(64),
      uri: 'file:///v1',
      format: 'jsonl',
      rows: 1,
      sizeBytes: 1n,
      schema: { columns: [{ name: 'password' }] },
      profile: { columns: { token: { kind: 'categorical', counts: { [url]: 1 } } } },
      source: {
        kind: 'postgres',
        connectionString: url,
        database: url,
        query: 'SELECT 1',
        runId: null,
        droppedRows: 0,
      },
    },
  });
  const experiment = await registry.experiment.create({
    data: {
      name: 'legacy',
      description: `reads ${url}`,
      useCase: 'recommendation',
      modelFamily: 'mf',
      hyperparameters: { epochs: 3, apiToken: TOKEN },
      datasetId: dataset.id,
      source: {
        source: {
          kind: 'postgres',
          connectionString: url,
          query: 'SELECT customer, product, stars FROM ratings',
        },
        pii: { salt: SALT, columns: { password: 'remove' } },
      },
      gate: [{ metric: 'rmse', op: '<=', value: 1 }],
      rolloutPolicy: { steps: [0.1, 0.5] },
    },
  });
  const clean = await registry.experiment.create({
    data: {
      name: 'clean',
      useCase: 'recommendation',
      modelFamily: 'mf',
      hyperparameters: { epochs: 1 },
      datasetId: dataset.id,
      source: { kind: 'postgres', connection: 'warehouse', query: 'SELECT 1' },
      gate: [],
      rolloutPolicy: {},
    },
  });
  const run = await registry.run.create({
    data: {
      experimentId: experiment.id,
      seed: 1,
      status: 'failed',
      params: {
        source: { kind: 'postgres', connectionString: url, query: 'SELECT 1' },
        hyperparameters: { epochs: 1 },
      },
      errorCode: 'source_unreachable',
      errorMessage: `cannot connect to ${url}: timeout`,
      datasetVersionId: version.id,
      stages: {
        create: [
          {
            stage: 'ingest',
            status: 'failed',
            output: { source: { connectionString: url } },
            checkpoint: { token: TOKEN, epoch: 1 },
            errorMessage: `cannot connect to ${url}`,
          },
          { stage: 'train', status: 'pending' },
        ],
      },
    },
  });
  await registry.modelVersion.create({
    data: {
      modelName: 'legacy',
      version: 1,
      runId: run.id,
      useCase: 'recommendation',
      modelFamily: 'mf',
      artifactUri: 'file:///m',
      sha256: 'b'.repeat(64),
      sizeBytes: 1n,
      signature: { trainedOn: { connectionString: url }, inputs: ['user', 'item'] },
    },
  });
  await recordAudit(registry, {
    apiKeyId: null,
    action: 'experiment.update',
    entity: 'experiment',
    entityId: experiment.id,
    before: { source: { connectionString: url } } as Json,
    after: { source: { connectionString: url } } as Json,
  });
  for (const [i, value] of PARITY.entries()) {
    await recordAudit(registry, {
      apiKeyId: null,
      action: 'parity',
      entity: 'parity',
      entityId: String(i),
      before: null,
      after: value as Json,
    });
  }
  void clean;
  applied = (await migrate({ databaseUrl, migrationsDir: MIGRATIONS_DIR, schema })).applied;
});

afterAll(async () => {
  await registry?.$disconnect();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  await rm(dir, { recursive: true, force: true });
});

const one = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
  (await pool.query<T>(sql, values)).rows[0]!;
const redactedUrl = 'postgresql://warehouse:***@db.example:5432/sales';

describe('the redact_secrets migration', () => {
  it('is applied by the runner and leaves no helper function behind', async () => {
    expect(applied[0]).toBe(MIGRATION);
    const { count } = await one<{ count: string }>(
      `SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND (p.proname LIKE 'lathe\\_redact%' OR p.proname = 'lathe_is_secret_field')`,
      [schema],
    );
    expect(Number(count)).toBe(0);
  });

  it('redacts experiments, dataset versions, runs, stage executions, model versions and the audit log', async () => {
    const experiment = await registry.experiment.findUniqueOrThrow({ where: { name: 'legacy' } });
    expect(experiment.source).toEqual({
      source: {
        kind: 'postgres',
        connectionString: redactedUrl,
        query: 'SELECT customer, product, stars FROM ratings',
      },
      pii: { salt: '***', columns: { password: 'remove' } },
    });
    expect(experiment.hyperparameters).toEqual({ epochs: 3, apiToken: '***' });
    expect(experiment.description).toBe(`reads ${redactedUrl}`);
    expect(experiment.gate).toEqual([{ metric: 'rmse', op: '<=', value: 1 }]);
    const dataset = await registry.dataset.findFirstOrThrow();
    expect(dataset.description).toBe(`from ${redactedUrl}`);
    const version = await registry.datasetVersion.findFirstOrThrow();
    expect(version.source).toEqual({
      kind: 'postgres',
      connectionString: redactedUrl,
      database: redactedUrl,
      query: 'SELECT 1',
      runId: null,
      droppedRows: 0,
    });
    // The profile describes the data itself and is left alone.
    expect(version.profile).toEqual({ columns: { token: { kind: 'categorical', counts: { [url]: 1 } } } });
    const run = await registry.run.findFirstOrThrow({ include: { stages: { orderBy: { stage: 'asc' } } } });
    expect(run.params).toEqual({
      source: { kind: 'postgres', connectionString: redactedUrl, query: 'SELECT 1' },
      hyperparameters: { epochs: 1 },
    });
    expect(run.errorMessage).toBe(`cannot connect to ${redactedUrl}: timeout`);
    expect(run.stages[0]).toMatchObject({
      output: { source: { connectionString: redactedUrl } },
      checkpoint: { token: '***', epoch: 1 },
      errorMessage: `cannot connect to ${redactedUrl}`,
    });
    expect(run.stages[1]).toMatchObject({ output: null, checkpoint: null, errorMessage: null });
    const model = await registry.modelVersion.findFirstOrThrow();
    expect(model.signature).toEqual({
      trainedOn: { connectionString: redactedUrl },
      inputs: ['user', 'item'],
    });
    const audit = await registry.auditLog.findFirstOrThrow({ where: { action: 'experiment.update' } });
    expect([audit.before, audit.after]).toEqual([
      { source: { connectionString: redactedUrl } },
      { source: { connectionString: redactedUrl } },
    ]);
    const clean = await registry.experiment.findUniqueOrThrow({ where: { name: 'clean' } });
    expect(clean.source).toEqual({ kind: 'postgres', connection: 'warehouse', query: 'SELECT 1' });
  });

  it('redacts exactly as @lathe/core does (the SQL and the TypeScript rules agree)', async () => {
    const rows = await registry.auditLog.findMany({ where: { action: 'parity' }, orderBy: { id: 'asc' } });
    expect(rows).toHaveLength(PARITY.length);
    rows.forEach((row, i) => expect(row.after, `PARITY[${i}]`).toEqual(redactSecrets(PARITY[i])));
    // And nothing of the secrets is left in them.
    for (const row of rows)
      expect(JSON.stringify(row.after)).not.toMatch(new RegExp(`${PASSWORD}|${TOKEN}|${SALT}`));
    expect(rows[PARITY.length - 1]!.after).toEqual(PARITY[PARITY.length - 1]);
    expect(redactText(`cannot connect to ${url}`)).toBe(`cannot connect to ${redactedUrl}`);
  });

  it('is idempotent: running its SQL again changes nothing', async () => {
    const snapshot = async () =>
      (await pool.query(`SELECT row_to_json(t)::text AS row FROM "AuditLog" t ORDER BY id`)).rows
        .map((r) => r.row as string)
        .join('\n');
    const before = await snapshot();
    const { sql } = (await readMigrations(MIGRATIONS_DIR)).find((m) => m.name === MIGRATION)!;
    await pool.query(sql);
    expect(await snapshot()).toBe(before);
  });

  it('an ingest of a redacted source fails, saying its password was removed and to name a connection', async () => {
    const experiment = await registry.experiment.findUniqueOrThrow({ where: { name: 'legacy' } });
    let error: unknown;
    try {
      toIngestSpec(experiment.useCase, experiment.source);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'secret_in_source', httpStatus: 422 });
    expect((error as Error).message).toMatch(/^experiment source: .*source\.connectionString/);
    const errors = (error as { details: { errors: Array<{ field: string; message: string }> } }).details
      .errors;
    expect(Object.fromEntries(errors.map((e) => [e.field, e.message]))).toEqual({
      'source.connectionString': expect.stringMatching(
        /^held a password in a URL, removed when Lathe stopped storing secrets; name a connection instead \(\{"kind": "postgres", "connection": "<name>", …\}\)/,
      ),
      'pii.salt': expect.stringMatching(
        /^held the PII hashing salt, a secret, removed .*set LATHE_PII_SALT in the ingest workers' environment instead$/,
      ),
    });
  });
});
