/**
 * The privacy budget ledger on the real registry: each perturbed version spends its ε from the
 * dataset's budget in the transaction that registers it; an ingest that would exceed the budget
 * is refused (before it reads a row, and again under the dataset's lock, so two concurrent
 * ingests cannot both spend the last of it); the budget cannot be changed once set; and
 * GET /datasets/:id/privacy shows the ledger.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { mulberry32 } from '@lathe/core';
import { ingestDatasetVersion } from '@lathe/data';
import { ensureDataset } from '@lathe/registry';
import { startTestApi, type TestApi } from './api-harness.ts';

let api: TestApi;
let dir: string;
let store: LocalArtifactStore;
let csv: string;

const regions = ['north', 'south', 'east', 'west'];
const spec = (columns: Record<string, unknown>, budget = 5) => ({
  useCase: 'tabular' as const,
  source: { kind: 'file' as const, path: csv },
  columnMap: { target: 'churned' },
  privacy: { budget: { epsilon: budget }, columns },
});
const age = { mechanism: 'laplace', epsilon: 1, lower: 18, upper: 90 };
const region = { mechanism: 'randomised-response', epsilon: 2, categories: regions };

async function storedCount(): Promise<number> {
  let n = 0;
  for await (const _ of store.list()) n++;
  return n;
}

function ingest(datasetId: string, input: ReturnType<typeof spec>, seed: number) {
  return ingestDatasetVersion(
    { registry: api.db.registry, store, noiseRandom: mulberry32(seed) },
    { datasetId, spec: input as never },
  );
}

beforeAll(async () => {
  api = await startTestApi('privacy');
  dir = await mkdtemp(join(tmpdir(), 'lathe-privacy-budget-'));
  store = new LocalArtifactStore(join(dir, 'store'));
  csv = join(dir, 'customers.csv');
  const lines = ['age,region,churned'];
  for (let i = 0; i < 300; i++)
    lines.push(`${20 + (i % 50)},${regions[i % 4]},${i % 3 === 0 ? 'yes' : 'no'}`);
  await writeFile(csv, lines.join('\n') + '\n');
});
afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the privacy budget ledger', () => {
  it('records each perturbed version, refuses one that would exceed the budget, and shows the ledger', async () => {
    const dataset = await ensureDataset(api.db.registry, { name: 'private-customers', useCase: 'tabular' });
    const first = await ingest(dataset.id, spec({ age, region }), 1); // ε = 3 of 5
    expect(first.created).toBe(true);

    const before = await storedCount();
    await expect(ingest(dataset.id, spec({ age, region }), 2)).rejects.toMatchObject({
      code: 'privacy_budget_exceeded',
      httpStatus: 409,
      message: expect.stringMatching(
        /has spent ε=3 of its budget ε=5; this ingest would spend ε=3 more \(2 left\)/,
      ),
    });
    expect(await storedCount()).toBe(before); // refused before reading a row
    await expect(ingest(dataset.id, spec({ region }, 50), 3)).rejects.toMatchObject({
      code: 'privacy_budget_conflict',
      message: expect.stringMatching(
        /budget of ε=5, fixed by its first perturbed version; the spec declares ε=50/,
      ),
    });
    const second = await ingest(dataset.id, spec({ region }), 4); // ε = 2: exactly the rest
    expect(second.created).toBe(true);
    expect(await api.db.registry.datasetVersion.count({ where: { datasetId: dataset.id } })).toBe(2);

    const shown = await api.request('GET', `/datasets/${dataset.id}/privacy`, { key: api.keys.viewer });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ datasetId: dataset.id, budget: 5, spent: 5, remaining: 0 });
    expect(shown.body.entries).toEqual([
      expect.objectContaining({
        kind: 'perturbed_version',
        epsilon: 3,
        datasetVersionId: first.version.id,
        detail: expect.objectContaining({
          epsilon: 3,
          columns: expect.objectContaining({ age: expect.anything() }),
        }),
      }),
      expect.objectContaining({ kind: 'perturbed_version', epsilon: 2, datasetVersionId: second.version.id }),
    ]);
    // The version's privacy metadata says what was done, with the same numbers.
    expect(second.version.privacy).toMatchObject({
      perturbation: { epsilon: 2, columns: { region: { mechanism: 'randomised-response', epsilon: 2 } } },
    });
  }, 120_000);

  it('two concurrent ingests cannot both spend the last of a budget', async () => {
    const dataset = await ensureDataset(api.db.registry, { name: 'raced-customers', useCase: 'tabular' });
    const results = await Promise.allSettled([
      ingest(dataset.id, spec({ age, region }, 4), 5),
      ingest(dataset.id, spec({ age, region }, 4), 6),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'privacy_budget_exceeded' });
    const ledger = await api.request('GET', `/datasets/${dataset.id}/privacy`);
    expect(ledger.body).toMatchObject({ budget: 4, spent: 3, remaining: 1 });
    expect(ledger.body.entries).toHaveLength(1);
    expect(await api.db.registry.datasetVersion.count({ where: { datasetId: dataset.id } })).toBe(1);
  }, 120_000);

  it('a dataset without perturbation has no budget; an unknown dataset is 404', async () => {
    const dataset = await ensureDataset(api.db.registry, { name: 'public-customers', useCase: 'tabular' });
    const shown = await api.request('GET', `/datasets/${dataset.id}/privacy`);
    expect(shown.body).toEqual({
      datasetId: dataset.id,
      budget: null,
      spent: 0,
      remaining: null,
      entries: [],
    });
    expect((await api.request('GET', `/datasets/${randomUUID()}/privacy`)).status).toBe(404);
  });
});
