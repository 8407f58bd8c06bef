/**
 * A real API for a test file: its own Postgres schema and Redis prefix, the real
 * @lathe/queues pipeline, the app listening on an ephemeral port, and one key per role.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@lathe/core';
import { createApiKey, generateApiKey } from '@lathe/registry';
import { createPipeline, type Pipeline } from '@lathe/queues';
import { createApp, type ApiConfig, type ApiDeps, type LatheApp } from '../../services/api/src/index.ts';
import {
  createTestDatabase,
  createTestRedis,
  listenForTest,
  type TestDatabase,
  type TestRedis,
} from '../harness/index.ts';

export interface TestApi {
  url: string;
  db: TestDatabase;
  redis: TestRedis;
  pipeline: Pipeline;
  lathe: LatheApp;
  keys: { admin: string; editor: string; viewer: string };
  keyIds: { admin: string; editor: string; viewer: string };
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  text: string;
}

/** An API config for tests: small limits, no rate limiting to speak of, scratch directories. */
export function testApiConfig(label: string, queuePrefix: string): ApiConfig {
  const scratch = mkdtempSync(join(tmpdir(), `lathe-api-${label}-`));
  return {
    queuePrefix,
    jsonLimitBytes: 64 * 1024,
    uploadLimitBytes: 1024 * 1024,
    rateLimit: { max: 100_000, windowMs: 60_000 },
    uploadDir: join(scratch, 'uploads'),
    artifactDir: join(scratch, 'artifacts'),
    eventPollMs: 50,
  };
}

export async function startTestApi(
  label: string,
  overrides: Partial<ApiConfig> = {},
  extraDeps: Pick<ApiDeps, 'ingest' | 'validateHyperparameters' | 'reproduceRun' | 'artifacts'> = {},
): Promise<TestApi> {
  const db = await createTestDatabase(label);
  const redis = createTestRedis(label);
  const pipeline = createPipeline({
    registry: db.registry,
    connection: redis.redisUrl,
    prefix: redis.prefix,
    logger: silentLogger,
  });
  const config: ApiConfig = {
    ...testApiConfig(label, redis.prefix),
    dashboardOrigin: 'http://dashboard.test',
    ...overrides,
  };
  const lathe = createApp({
    registry: db.registry,
    pipeline,
    redis: redis.connect(),
    config,
    logger: silentLogger,
    ...extraDeps,
  });
  const { url, close: stopListening } = await listenForTest(lathe.app);

  const keys = {} as TestApi['keys'];
  const keyIds = {} as TestApi['keyIds'];
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    const secret = generateApiKey();
    const key = await createApiKey(db.registry, {
      name: `${role} key`,
      role,
      prefix: secret.prefix,
      hash: secret.hash,
    });
    keys[role] = secret.key;
    keyIds[role] = key.id;
  }

  const request = async (
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const key = options.key === undefined ? keys.admin : options.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  return {
    url,
    db,
    redis,
    pipeline,
    lathe,
    keys,
    keyIds,
    request,
    async close() {
      await stopListening();
      await pipeline.close();
      await redis.cleanup();
      await db.drop();
    },
  };
}

/** Rows most routes need: a dataset with a version, an experiment, two model versions, an evaluation each. */
export async function seed(api: TestApi) {
  const registry = api.db.registry;
  const dataset = await registry.dataset.create({ data: { name: 'clicks', useCase: 'recommendation' } });
  const version = await registry.datasetVersion.create({
    data: {
      datasetId: dataset.id,
      version: 1,
      sha256: 'a'.repeat(64),
      uri: 'file:///tmp/x',
      format: 'csv',
      rows: 3,
      sizeBytes: 10n,
      schema: { columns: [{ name: 'user' }] },
      profile: { user: { distinct: 3 } },
      drift: { user: { psi: 0.01 } },
      source: { kind: 'test' },
    },
  });
  const experiment = await registry.experiment.create({
    data: {
      name: 'clicks-mf',
      useCase: 'recommendation',
      modelFamily: 'mf',
      hyperparameters: { epochs: 2 },
      datasetId: dataset.id,
      gate: [],
      rolloutPolicy: {},
    },
  });
  const model = (n: number) =>
    registry.modelVersion.create({
      data: {
        modelName: 'clicks-mf',
        version: n,
        useCase: 'recommendation',
        modelFamily: 'mf',
        artifactUri: `file:///m/${n}`,
        sha256: String(n).repeat(64),
        sizeBytes: 5n,
        signature: {},
        metrics: { rmse: 1 - n / 10 },
      },
    });
  const v1 = await model(1);
  const v2 = await model(2);
  const evaluation = (modelVersionId: string, rmse: number, verdict: 'passed' | 'failed') =>
    registry.evaluation.create({
      data: { modelVersionId, datasetVersionId: version.id, metrics: { rmse, mae: rmse / 2 }, verdict },
    });
  const e1 = await evaluation(v1.id, 0.9, 'passed');
  const e2 = await evaluation(v2.id, 0.8, 'failed');
  return { dataset, version, experiment, v1, v2, e1, e2 };
}
