import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRun,
  ensureDataset,
  getAlias,
  moveAlias,
  registerModelVersion,
  rollbackAlias,
} from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
let experimentId: string;

const artifact = (n: number) => ({
  useCase: 'image' as const,
  modelFamily: 'cnn',
  artifactUri: `file:///a/${n}`,
  sha256: String(n).padStart(64, '0'),
  sizeBytes: 10,
  signature: {},
});

beforeAll(async () => {
  db = await createTestDatabase('models');
  const dataset = await ensureDataset(db.registry, { name: 'digits', useCase: 'image' });
  experimentId = (
    await db.registry.experiment.create({
      data: {
        name: 'digits',
        useCase: 'image',
        modelFamily: 'cnn',
        hyperparameters: {},
        datasetId: dataset.id,
        gate: [],
        rolloutPolicy: {},
      },
    })
  ).id;
});
afterAll(() => db.drop());

describe('model versions', () => {
  it('gives runs registering at the same time distinct, consecutive version numbers', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, () => createRun(db.registry, { experimentId })));
    const registered = await Promise.all(
      runs.map(({ run }, i) =>
        registerModelVersion(db.registry, { modelName: 'digits-cnn', runId: run.id, ...artifact(i) }),
      ),
    );
    const versions = registered.map((r) => r.modelVersion.version).sort((a, b) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('registers exactly one model version per run, whatever the retries', async () => {
    const { run } = await createRun(db.registry, { experimentId });
    const attempts = await Promise.all(
      [1, 2, 3].map((n) =>
        registerModelVersion(db.registry, { modelName: 'digits-cnn', runId: run.id, ...artifact(100 + n) }),
      ),
    );
    expect(new Set(attempts.map((a) => a.modelVersion.id)).size).toBe(1);
    expect(await db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(1);
  });
});

describe('aliases', () => {
  it('moves atomically, refuses a stale revision, and rolls back to the previous version', async () => {
    const v1 = (await registerModelVersion(db.registry, { modelName: 'aliasing', ...artifact(201) }))
      .modelVersion;
    const v2 = (await registerModelVersion(db.registry, { modelName: 'aliasing', ...artifact(202) }))
      .modelVersion;
    await moveAlias(db.registry, {
      modelName: 'aliasing',
      alias: 'production',
      modelVersionId: v1.id,
      expectedRevision: 0,
    });
    const moved = await moveAlias(db.registry, {
      modelName: 'aliasing',
      alias: 'production',
      modelVersionId: v2.id,
      expectedRevision: 1,
    });
    expect(moved.revision).toBe(2);
    await expect(
      moveAlias(db.registry, {
        modelName: 'aliasing',
        alias: 'production',
        modelVersionId: v1.id,
        expectedRevision: 1,
      }),
    ).rejects.toMatchObject({ code: 'revision_mismatch', httpStatus: 409 });

    await rollbackAlias(db.registry, { modelName: 'aliasing', alias: 'production' });
    expect((await getAlias(db.registry, 'aliasing', 'production'))?.modelVersionId).toBe(v1.id);
  });

  it('serialises concurrent moves: every move is recorded, none lost', async () => {
    const versions = await Promise.all(
      [301, 302, 303, 304].map((n) =>
        registerModelVersion(db.registry, { modelName: 'racing', ...artifact(n) }),
      ),
    );
    await Promise.all(
      versions.map(({ modelVersion }) =>
        moveAlias(db.registry, { modelName: 'racing', alias: 'challenger', modelVersionId: modelVersion.id }),
      ),
    );
    const alias = await getAlias(db.registry, 'racing', 'challenger');
    expect(alias?.revision).toBe(4);
    expect(await db.registry.modelAliasEvent.count({ where: { modelName: 'racing' } })).toBe(4);
  });

  it('refuses a version of another model', async () => {
    const other = (await registerModelVersion(db.registry, { modelName: 'other', ...artifact(401) }))
      .modelVersion;
    await expect(
      moveAlias(db.registry, { modelName: 'aliasing', alias: 'production', modelVersionId: other.id }),
    ).rejects.toMatchObject({ code: 'alias_model_mismatch' });
  });
});
