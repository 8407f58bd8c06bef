import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDataset, registerDatasetVersion } from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('datasets');
});
afterAll(() => db.drop());

const version = (datasetId: string, sha256: string) => ({
  datasetId,
  sha256,
  uri: `file:///${sha256}`,
  format: 'jsonl',
  rows: 3,
  sizeBytes: 42,
  schema: { columns: [] },
  source: { kind: 'file' },
});

describe('dataset versions', () => {
  it('returns the existing version for identical content and chains new content to its parent', async () => {
    const dataset = await ensureDataset(db.registry, { name: 'reviews', useCase: 'nlp' });
    const first = await registerDatasetVersion(db.registry, version(dataset.id, 'a'.repeat(64)));
    const same = await registerDatasetVersion(db.registry, version(dataset.id, 'a'.repeat(64)));
    expect(first.created).toBe(true);
    expect(same).toMatchObject({ created: false, version: { id: first.version.id } });

    const second = await registerDatasetVersion(db.registry, version(dataset.id, 'b'.repeat(64)));
    expect(second.version.version).toBe(2);
    expect(second.version.parentId).toBe(first.version.id);
  });

  it('creates one version when the same content is ingested concurrently', async () => {
    const dataset = await ensureDataset(db.registry, { name: 'concurrent', useCase: 'nlp' });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        registerDatasetVersion(db.registry, version(dataset.id, 'c'.repeat(64))),
      ),
    );
    expect(new Set(results.map((r) => r.version.id)).size).toBe(1);
    expect(await db.registry.datasetVersion.count({ where: { datasetId: dataset.id } })).toBe(1);
  });
});
