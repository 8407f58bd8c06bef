import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { ingestToArtifacts } from '../ingest/ingest-to-artifacts.ts';
import type { ImageRow, RecommendationRow } from '@lathe/contract';
import { createDatasetAccess } from './dataset-access.ts';
import { readRows, readSplit } from './read-rows.ts';

let dir: string;
let store: LocalArtifactStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-read-'));
  store = new LocalArtifactStore(join(dir, 'store'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function collect<T>(rows: AsyncIterable<unknown>): Promise<T[]> {
  const all: T[] = [];
  for await (const row of rows) all.push(row as T);
  return all;
}

describe('readers', () => {
  it('the rows of a split are exactly the rows at the split indices, in file order; pixels round-trip byte for byte', async () => {
    // 40 tiny 2×3 RGB images whose bytes encode their row number, so any mix-up shows.
    const images = Array.from({ length: 40 }, (_, r) =>
      Array.from({ length: 18 }, (_, p) => (r * 7 + p * 13) % 256),
    );
    const csv = `label,pixels\n${images.map((px, r) => `${r % 4},${px.join(' ')}`).join('\n')}\n`;
    const path = join(dir, 'images.csv');
    await writeFile(path, csv);
    const result = await ingestToArtifacts(
      {
        useCase: 'image',
        source: { kind: 'file', path },
        schema: { columns: [], image: { width: 3, height: 2, channels: 3 } },
        split: { strategy: 'stratified', seed: 3, fractions: { train: 0.5, validation: 0.25, test: 0.25 } },
      },
      { store },
    );
    const all = await collect<ImageRow>(readRows(store, result.sha256, 'image'));
    expect(all.map((row) => Array.from(row.pixels))).toEqual(images);
    expect(all.every((row) => row.pixels instanceof Uint8Array)).toBe(true);

    const indices = await readSplit(store, result.split.sha256);
    const everyIndex = [...indices.train, ...indices.validation, ...indices.test].sort((a, b) => a - b);
    expect(everyIndex).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const dataset = await createDatasetAccess(store).open({
      sha256: result.sha256,
      schema: result.schema,
      split: result.split,
      rows: result.rows,
    });
    for (const split of ['train', 'validation', 'test'] as const) {
      const rows = await collect<ImageRow>(dataset.rows(split));
      const expected = [...indices[split]].sort((a, b) => a - b).map((i) => images[i]);
      expect(rows.map((row) => Array.from(row.pixels))).toEqual(expected);
      expect(dataset.counts[split]).toBe(indices[split].length);
    }
    // Each call is a new pass.
    expect(await collect(dataset.rows('test'))).toHaveLength(indices.test.length);
    expect(dataset.metadata).toEqual({
      useCase: 'image',
      imageShape: { width: 3, height: 2, channels: 3 },
      labels: ['0', '1', '2', '3'],
    });
  });

  it('metadata of implicit-feedback interactions: implicit, no labels', async () => {
    const path = join(dir, 'clicks.jsonl');
    await writeFile(
      path,
      ['u1,i1,1', 'u1,i2,2', 'u2,i1,3', 'u2,i3,4']
        .map((l) => l.split(','))
        .map(([user, item, t]) => JSON.stringify({ user, item, timestamp: Number(t) }))
        .join('\n'),
    );
    const result = await ingestToArtifacts(
      {
        useCase: 'recommendation',
        source: { kind: 'file', path },
        split: { strategy: 'time', fractions: { train: 0.5, validation: 0.25, test: 0.25 } },
      },
      { store },
    );
    expect(result.schema.implicit).toBe(true);
    const dataset = await createDatasetAccess(store).open({
      sha256: result.sha256,
      schema: result.schema,
      split: result.split,
      rows: result.rows,
    });
    expect(dataset.metadata).toEqual({ useCase: 'recommendation', implicit: true });
    const test = await collect<RecommendationRow>(dataset.rows('test'));
    // Small epoch values are read as seconds and stored as milliseconds (to-row.ts).
    expect(test).toEqual([{ user: 'u2', item: 'i3', rating: null, timestamp: 4000 }]);
  });

  it('explicit ratings are not implicit', async () => {
    const result = await ingestToArtifacts(
      {
        useCase: 'recommendation',
        source: {
          kind: 'sample',
          name: 'synthetic-interactions',
          options: { users: 5, items: 10, interactionsPerUser: 3 },
        },
      },
      { store },
    );
    expect(result.schema.implicit).toBe(false);
    const implicit = await ingestToArtifacts(
      {
        useCase: 'recommendation',
        source: {
          kind: 'sample',
          name: 'synthetic-interactions',
          options: { users: 5, items: 10, interactionsPerUser: 3, implicit: true },
        },
      },
      { store },
    );
    expect(implicit.schema.implicit).toBe(true);
  });
});
