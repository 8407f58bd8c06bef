/**
 * The `lathe` CLI against a real API, the real @lathe/queues pipeline and BullMQ workers on
 * real Redis. The workers run small stage handlers (a quick "training" that records epoch
 * metrics) so that `lathe run start --follow` is shown a real run going through all four stages.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatheError } from '@lathe/core';
import { appendRunMetrics, recordAbEvents } from '@lathe/registry';
import { startWorkers, type StageHandlers, type WorkerGroup } from '@lathe/queues';
import { runCli, type CliIo } from '../../packages/cli/src/index.ts';
import { deployNothing, recordedVerdict, registerUntrainedModel } from '../harness/index.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

let api: TestApi;
let workers: WorkerGroup;
const dir = mkdtempSync(join(tmpdir(), 'lathe-cli-'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const passing = recordedVerdict();
const handlers: StageHandlers = {
  ingest: async (ctx) => {
    if (ctx.experiment.name === 'doomed')
      throw new LatheError('source_unreadable', 'the source file is gone', { httpStatus: 422 });
    const dataset = await ctx.registry.dataset.findFirstOrThrow({ where: { id: ctx.experiment.datasetId } });
    const version = await ctx.registry.datasetVersion.findFirstOrThrow({
      where: { datasetId: dataset.id },
      orderBy: { version: 'desc' },
    });
    await ctx.reportProgress(1);
    return { datasetVersionId: version.id, sha256: version.sha256, rows: version.rows };
  },
  train: async (ctx) => {
    for (let epoch = 0; epoch < 3; epoch++) {
      await sleep(120);
      await appendRunMetrics(ctx.registry, ctx.runId, [
        { name: 'loss', step: epoch, value: 1 / (epoch + 1) },
      ]);
      await ctx.reportProgress((epoch + 1) / 3);
    }
    return registerUntrainedModel(ctx, 3);
  },
  evaluate: async (ctx) => {
    await sleep(50);
    return passing(ctx);
  },
  deploy: deployNothing,
};

function captureIo(
  env: Record<string, string | undefined>,
): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    env: { HOME: dir, ...env },
    fetch: globalThis.fetch,
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  api = await startTestApi('cli');
  workers = await startWorkers({
    pipeline: api.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers,
    concurrency: 1,
  });
});
afterAll(async () => {
  await workers.close();
  await api.close();
});

const lathe = async (args: string[], env: Record<string, string | undefined> = {}) => {
  const io = captureIo({ LATHE_API_URL: api.url, LATHE_API_KEY: api.keys.editor, ...env });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
};

describe('lathe CLI', () => {
  it('ingests a file, creates an experiment, and follows a real run through every stage', async () => {
    const file = join(dir, 'ratings.csv');
    writeFileSync(file, 'user,item,rating\nu1,i1,5\nu2,i2,4\nu3,i1,1\n');
    const ingested = await lathe(['dataset', 'ingest', file, '--use-case', 'recommendation']);
    expect(ingested.err).not.toMatch(/lathe:/);
    expect(ingested.out).toMatch(/^created ratings v1 \(3 rows/);

    const created = await lathe([
      'experiment',
      'create',
      '--name',
      'ratings-mf',
      '--dataset',
      'ratings',
      '--use-case',
      'recommendation',
      '--family',
      'mf',
      '--hyperparameters',
      '{"epochs": 3}',
    ]);
    expect(created.code).toBe(0);

    const followed = await lathe(['run', 'start', 'ratings-mf', '--follow']);
    expect(followed.err).toBe('');
    expect(followed.code).toBe(0);
    // Every stage is seen to finish, in pipeline order, with train's epoch metrics on the way.
    // (Whether a short stage is also caught "running" depends on timing, so it is not asserted.)
    const finished = ['ingest', 'train', 'evaluate', 'deploy'].map((stage) =>
      followed.out.search(new RegExp(`^${stage}\\s+succeeded`, 'm')),
    );
    expect(finished.every((at) => at > 0)).toBe(true);
    expect([...finished].sort((a, b) => a - b)).toEqual(finished);
    const steps = ['step 0 loss=1.0000', 'step 1 loss=0.5000', 'step 2 loss=0.3333'].map((line) =>
      followed.out.indexOf(`train    ${line}`),
    );
    expect(steps.every((at) => at > 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(followed.out).toMatch(/run [0-9a-f-]{36} succeeded\n$/);

    // A run with an overridden hyperparameter (JSON when it parses); a malformed one is refused.
    const overridden = await lathe(['run', 'start', 'ratings-mf', '--set', 'epochs=2']);
    expect(overridden.code).toBe(0);
    const runId = /started run ([0-9a-f-]{36})/.exec(overridden.out)![1]!;
    const stored = await api.db.registry.run.findUniqueOrThrow({ where: { id: runId } });
    expect((stored.params as { hyperparameters: unknown }).hyperparameters).toEqual({ epochs: 2 });
    const malformed = await lathe(['run', 'start', 'ratings-mf', '--set', 'epochs']);
    expect(malformed.err).toMatch(/--set epochs: expected name=value/);

    const models = await lathe(['models', 'list']);
    expect(models.out).toMatch(/^ratings-mf\s+mf\s+1\s+v1/m);
    const alias = await lathe(['alias', 'set', 'ratings-mf', 'production', 'v1']);
    expect(alias.out).toBe('ratings-mf@production → v1\n');
    const moved = await lathe(['alias', 'set', 'ratings-mf', 'production', '1', '--reason', 'again']);
    expect(moved.code).toBe(0); // second move sends the ETag it read
  });

  it('prints the A/B report (the analysis the monitor decides on) and plans a test', async () => {
    const registry = api.db.registry;
    const version = (await registry.modelVersion.findFirstOrThrow({ where: { modelName: 'ratings-mf' } })).id;
    const created = await api.request('POST', '/ab-tests', {
      key: api.keys.editor,
      body: {
        name: 'homepage',
        endpoint: 'recs',
        policy: { steps: [0.5] },
        variants: [
          { name: 'control', isControl: true, modelVersionId: version, weight: 0.5 },
          { name: 'challenger', modelVersionId: version, weight: 0.5 },
        ],
      },
    });
    expect(created.status).toBe(201);
    const test = created.body as {
      id: string;
      variants: Array<{ id: string; name: string; isControl: boolean }>;
    };
    const rows = test.variants.flatMap((v) =>
      Array.from({ length: 1000 }, (_, u) => [
        {
          variantId: v.id,
          type: 'exposure' as const,
          unitId: `${v.name}${u}`,
          idempotencyKey: `${v.name}${u}x`,
          occurredAt: new Date(),
          step: 0,
        },
        ...(u < (v.isControl ? 100 : 200)
          ? [
              {
                variantId: v.id,
                type: 'outcome' as const,
                unitId: `${v.name}${u}`,
                metric: 'conversion',
                value: 1,
                idempotencyKey: `${v.name}${u}c`,
                occurredAt: new Date(),
                step: 0,
              },
            ]
          : []),
      ]).flat(),
    );
    await recordAbEvents(registry, test.id, rows);
    const report = await lathe(['ab', 'report', 'homepage'], { LATHE_API_KEY: api.keys.viewer });
    expect(report.code).toBe(0);
    expect(report.out).toMatch(/^variant\s+units\s+conversion\s+lift\s+always-valid 95% interval/m);
    expect(report.out).toMatch(/^challenger\s+1000\s+20\.00%\s+\+100\.00%\s+\[\+\d+\.\d+%, \+\d+\.\d+%\]/m);
    expect(report.out).toMatch(/^control \(control\)\s+1000\s+10\.00%/m);
    expect(report.out).toMatch(/sample ratio: ok/);
    expect(report.out).toMatch(/P\(treatment better\) 1\.000/);

    const plan = await lathe(
      ['ab', 'plan', '--baseline', '0.05', '--units-per-hour', '2000', '--mde', '0.1'],
      { LATHE_API_KEY: api.keys.viewer },
    );
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(/^sequential \(always valid\)\s+\d+\s+\d+\.\d/m);
    expect(plan.out).toMatch(/^fixed horizon \(one look\)\s+\d+/m);
    const tooSmall = await lathe(
      ['ab', 'plan', '--baseline', '0.05', '--units-per-hour', '10', '--mde', '0.01'],
      { LATHE_API_KEY: api.keys.viewer },
    );
    expect(tooSmall.out).toMatch(/NOT REACHABLE: cannot reach 80% power/);
  });

  it('creates, lists and revokes API keys (admin only); a created key works until it is revoked', async () => {
    const created = await lathe(['keys', 'create', 'checkout-service', '--role', 'viewer'], {
      LATHE_API_KEY: api.keys.admin,
    });
    expect(created.code).toBe(0);
    // stdout is the key alone, so a script can capture it.
    const key = created.out.trim();
    expect(key).toMatch(/^lathe_[A-Za-z0-9_-]{40,}$/);
    expect(created.err).toMatch(/created viewer key lathe_.{6}… \(.+\) for checkout-service: store it now/);
    expect((await lathe(['models', 'list'], { LATHE_API_KEY: key })).code).toBe(0);

    const listed = await lathe(['keys', 'list'], { LATHE_API_KEY: api.keys.admin });
    const row = listed.out.split('\n').find((line) => line.includes('checkout-service'))!;
    expect(row).toMatch(/viewer/);
    expect(listed.out).not.toContain(key);
    const id = row.split(/\s+/)[0]!;

    const notAdmin = await lathe(['keys', 'list'], { LATHE_API_KEY: api.keys.editor });
    expect(notAdmin.err).toMatch(/^lathe: not allowed: .*admin role/);
    const badRole = await lathe(['keys', 'create', 'x', '--role', 'owner'], {
      LATHE_API_KEY: api.keys.admin,
    });
    expect(badRole.err).toMatch(/--role must be one of viewer, editor, admin; got "owner"/);

    const revoked = await lathe(['keys', 'revoke', id], { LATHE_API_KEY: api.keys.admin });
    expect(revoked.out).toMatch(/^revoked viewer key lathe_.{6}… \(checkout-service\)/);
    expect((await lathe(['models', 'list'], { LATHE_API_KEY: key })).err).toMatch(
      /rejected the key from LATHE_API_KEY/,
    );
    expect((await lathe(['keys', 'list'], { LATHE_API_KEY: api.keys.admin })).out).not.toContain(
      'checkout-service',
    );
    expect((await lathe(['keys', 'list', '--all'], { LATHE_API_KEY: api.keys.admin })).out).toMatch(
      /checkout-service.*viewer.*\d{4}-\d{2}-\d{2} [\d:]{8}\s*$/m,
    );
  });

  it('explains auth and validation errors in one line each', async () => {
    const noKey = await lathe(['models', 'list'], { LATHE_API_KEY: undefined });
    expect(noKey.code).toBe(1);
    expect(noKey.err).toMatch(/^lathe: no API key: set LATHE_API_KEY/);
    const badKey = await lathe(['models', 'list'], { LATHE_API_KEY: 'lathe_wrong' });
    expect(badKey.err).toMatch(/rejected the key from LATHE_API_KEY/);
    const viewer = await lathe(['run', 'start', 'ratings-mf'], { LATHE_API_KEY: api.keys.viewer });
    expect(viewer.err).toMatch(/^lathe: not allowed: .*editor role/);
    const invalid = await lathe([
      'experiment',
      'create',
      '--name',
      'x',
      '--dataset',
      'ratings',
      '--use-case',
      'astrology',
      '--family',
      'mf',
    ]);
    expect(invalid.err).toMatch(/\[validation_failed\]\n {2}- body\.useCase: /);
    const down = await lathe(['models', 'list'], { LATHE_API_URL: 'http://127.0.0.1:1' });
    expect(down.err).toMatch(/cannot reach the Lathe API at http:\/\/127\.0\.0\.1:1/);
  });

  it('lists a failed stage job among the dead letters and redrives it through the API', async () => {
    const dataset = await api.db.registry.dataset.findFirstOrThrow({ where: { name: 'ratings' } });
    const experiment = (
      await api.request('POST', '/experiments', {
        body: { name: 'doomed', useCase: 'recommendation', modelFamily: 'mf', datasetId: dataset.id },
      })
    ).body;
    const run = (await api.request('POST', `/experiments/${experiment.id}/runs`, { body: {} })).body;
    const failed = await lathe(['run', 'start', 'doomed', '--follow', '--idempotency-key', 'doomed-1']);
    expect(failed.code).toBe(2);
    expect(failed.out).toMatch(/failed: source_unreadable: the source file is gone/);
    let letters: Array<{ jobId: string; runId: string | null }> = [];
    for (let i = 0; i < 100 && letters.length < 2; i++) {
      letters = (await api.request('GET', '/queues/failed?queue=ingest', { key: api.keys.viewer })).body
        .items;
      if (letters.length < 2) await sleep(50);
    }
    const letter = letters.find((l) => l.runId === run.id)!;
    expect(letter).toBeDefined();
    // The job is a dead letter a moment before its worker records the run as failed, and only a
    // failed run can be redriven (409 before): wait for the registry.
    await expect
      .poll(async () => (await api.request('GET', `/runs/${run.id}`, { key: api.keys.viewer })).body.status, {
        timeout: 10_000,
      })
      .toBe('failed');
    const redriven = await api.request('POST', `/queues/failed/${encodeURIComponent(letter.jobId)}/redrive`, {
      key: api.keys.editor,
    });
    expect(redriven.status).toBe(200);
    expect(redriven.body).toMatchObject({ runId: run.id, fromStage: 'ingest' });
    expect((await api.request('GET', `/audit-log?action=job.redrive`)).body.items[0].entityId).toBe(
      letter.jobId,
    );
  });

  it('reads the API URL and key from the config file when the environment has none', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ apiUrl: api.url, apiKey: api.keys.viewer }));
    const io = captureIo({ LATHE_CONFIG: config });
    expect(await runCli(['experiment', 'list'], io)).toBe(0);
    expect(io.out()).toMatch(/ratings-mf\s+recommendation\s+mf/);
  });
});
