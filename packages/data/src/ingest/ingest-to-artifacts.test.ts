import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess } from '../read/dataset-access.ts';
import { readRows } from '../read/read-rows.ts';
import type { ImageRow, RecommendationRow, TextRow } from '@lathe/contract';
import { ingestToArtifacts } from './ingest-to-artifacts.ts';

let dir: string;
let store: LocalArtifactStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-data-'));
  store = new LocalArtifactStore(join(dir, 'store'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function stored(): Promise<string[]> {
  const all: string[] = [];
  for await (const sha of store.list()) all.push(sha);
  return all;
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('MNIST sample', () => {
  it('ingests real digits with a stratified split, the same content twice gives the same sha256', async () => {
    const spec = {
      useCase: 'image' as const,
      source: { kind: 'sample' as const, name: 'mnist' as const, options: { limit: 200 } },
      split: { strategy: 'stratified' as const },
    };
    const result = await ingestToArtifacts(spec, { store });
    expect(result.rows).toBe(200);
    expect(result.schema).toMatchObject({
      useCase: 'image',
      image: { width: 28, height: 28, channels: 1 },
      labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    });
    expect(result.split.counts.train + result.split.counts.validation + result.split.counts.test).toBe(200);
    expect(result.split.counts.test).toBeGreaterThanOrEqual(15);
    expect(Object.values(result.profile.labels ?? {}).reduce((a, b) => a + b, 0)).toBe(200);
    const again = await ingestToArtifacts(spec, { store });
    expect(again.sha256).toBe(result.sha256);

    const dataset = await createDatasetAccess(store).open({
      sha256: result.sha256,
      schema: result.schema,
      split: result.split,
      rows: result.rows,
    });
    expect(dataset.metadata).toMatchObject({
      useCase: 'image',
      imageShape: { width: 28, height: 28, channels: 1 },
    });
    const test: ImageRow[] = [];
    for await (const row of dataset.rows('test')) test.push(row as ImageRow);
    expect(test).toHaveLength(result.split.counts.test);
    expect(test[0]!.pixels).toBeInstanceOf(Uint8Array);
    expect(test[0]!.pixels.length).toBe(784);
    expect(Math.max(...test[0]!.pixels)).toBeGreaterThan(200); // real ink, not zeros
  });
});

describe('CSV and JSON Lines', () => {
  it('ingests labelled text, masking emails and phone numbers before anything is stored', async () => {
    const path = await file(
      'reviews.csv',
      'text,label\n"great product, write me at jane@example.com",pos\nawful; call +44 20 7946 0958,neg\nfine,pos\nbad,neg\n',
    );
    const result = await ingestToArtifacts(
      {
        useCase: 'nlp',
        source: { kind: 'file', path },
        split: { strategy: 'random', fractions: { train: 0.5, validation: 0, test: 0.5 } },
      },
      { store },
    );
    expect(result.rows).toBe(4);
    expect(result.privacy).toMatchObject({ emailsReplaced: 1, phonesReplaced: 1 });
    const bytes = (await store.getBuffer(result.sha256)).toString('utf8');
    expect(bytes).not.toContain('jane@example.com');
    expect(bytes).not.toContain('7946');
    const rows: TextRow[] = [];
    for await (const row of readRows(store, result.sha256, 'nlp')) rows.push(row as TextRow);
    expect(rows[0]!.text).toBe('great product, write me at [email]');
  });

  it('hashes a PII id column so it stays joinable but unreadable', async () => {
    const path = await file(
      'clicks.jsonl',
      '{"user":"alice@corp.com","item":"i1","rating":5}\n{"user":"alice@corp.com","item":"i2","rating":3}\n{"user":"bob","item":"i1","rating":4}\n',
    );
    const result = await ingestToArtifacts(
      {
        useCase: 'recommendation',
        source: { kind: 'file', path },
        pii: { columns: { user: 'hash' }, salt: 'test-salt-123' },
      },
      { store },
    );
    const rows: RecommendationRow[] = [];
    for await (const row of readRows(store, result.sha256, 'recommendation'))
      rows.push(row as RecommendationRow);
    expect(rows[0]!.user).toMatch(/^[0-9a-f]{32}$/);
    expect(rows[0]!.user).toBe(rows[1]!.user);
    expect((await store.getBuffer(result.sha256)).toString()).not.toContain('alice');
  });

  it('ingests tabular features from an upload stream', async () => {
    const stream = Readable.from([
      'tenure,plan,churned\n',
      '3,basic,yes\n',
      '40,pro,no\n',
      '12,plus,no\n',
      '1,basic,yes\n',
    ]);
    const result = await ingestToArtifacts(
      {
        useCase: 'tabular',
        source: { kind: 'stream', stream, format: 'csv' },
        columnMap: { target: 'churned' },
      },
      { store },
    );
    expect(result.rows).toBe(4);
    expect(result.schema.columns.map((c) => [c.name, c.type])).toEqual([
      ['tenure', 'number'],
      ['plan', 'string'],
      ['target', 'string'],
    ]);
    expect(result.profile.columns.tenure).toMatchObject({ kind: 'numeric', min: 1, max: 40, count: 4 });
  });

  it('generates interactions from known latent factors, split per user leaving the last one out', async () => {
    const result = await ingestToArtifacts(
      {
        useCase: 'recommendation',
        source: {
          kind: 'sample',
          name: 'synthetic-interactions',
          options: { users: 20, items: 30, interactionsPerUser: 5 },
        },
        split: { strategy: 'leave-last-n-out', n: 1 },
      },
      { store },
    );
    expect(result.rows).toBe(100);
    expect(result.split.counts).toEqual({ train: 60, validation: 20, test: 20 });
  });
});

describe('label and image rules (the full bad-file suite is in bad-files.test.ts)', () => {
  it('an unknown label is refused when labels are declared, and dropped with a count under the drop policy', async () => {
    const path = await file('labels.csv', 'text,label\nok,pos\nhm,maybe\nno,neg\n');
    const schema = { columns: [], labels: ['pos', 'neg'] };
    await expect(
      ingestToArtifacts({ useCase: 'nlp', source: { kind: 'file', path }, schema }, { store }),
    ).rejects.toMatchObject({ code: 'unknown_label' });
    expect(await stored()).toEqual([]);
    const dropped = await ingestToArtifacts(
      { useCase: 'nlp', source: { kind: 'file', path }, schema, invalidRows: 'drop' },
      { store },
    );
    expect(dropped).toMatchObject({ rows: 2, droppedRows: 1 });
  });

  it('an image of the wrong size', async () => {
    const path = await file(
      'pixels.csv',
      `label,pixels\n1,${Array(784).fill(0).join(' ')}\n2,${Array(700).fill(0).join(' ')}\n`,
    );
    await expect(
      ingestToArtifacts(
        {
          useCase: 'image',
          source: { kind: 'file', path },
          schema: { columns: [], image: { width: 28, height: 28, channels: 1 } },
        },
        { store },
      ),
    ).rejects.toMatchObject({
      code: 'wrong_image_size',
      message: expect.stringMatching(/row 2, column `pixels`/),
    });
    expect(await stored()).toEqual([]);
  });
});

describe('cancel', () => {
  it('an aborted ingest stops with ingest_aborted and stores nothing', async () => {
    const lines = Array.from({ length: 25_000 }, (_, i) => `text ${i},${i % 2 ? 'pos' : 'neg'}`);
    const path = await file('long.csv', `text,label\n${lines.join('\n')}\n`);
    const controller = new AbortController();
    let progressCalls = 0;
    await expect(
      ingestToArtifacts(
        { useCase: 'nlp', source: { kind: 'file', path } },
        {
          store,
          signal: controller.signal,
          onProgress: (rows) => {
            progressCalls += 1;
            if (rows >= 10_000) controller.abort();
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'ingest_aborted' });
    expect(progressCalls).toBe(1);
    expect(await stored()).toEqual([]);
  });
});
