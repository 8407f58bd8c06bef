/**
 * Every source kind ingests into a version with a profile and a split; identical content
 * gives the identical sha256 whatever the source it came from.
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { requireServices } from '../../../../test/harness/index.ts';
import { ingestToArtifacts } from '../ingest/ingest-to-artifacts.ts';
import { createConnections } from './connections.ts';
import { readRows } from '../read/read-rows.ts';
import type { ImageRow, TabularRow, TextRow } from '@lathe/contract';
import { packageStanzas } from '../samples/debian-packages-sample.ts';

let dir: string;
let store: LocalArtifactStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-sources-'));
  store = new LocalArtifactStore(join(dir, 'store'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function collect<T>(iterable: AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x as T);
  return out;
}

const CSV = 'x,colour,target\n1.5,red,yes\n2,blue,no\n3.25,red,yes\n4,,no\n';
const JSONL = [
  '{"x":1.5,"colour":"red","target":"yes"}',
  '{"x":2,"colour":"blue","target":"no"}',
  '{"x":3.25,"colour":"red","target":"yes"}',
  '{"x":4,"colour":null,"target":"no"}',
].join('\n');

describe('text sources', () => {
  it('CSV file, TSV, gzip, JSON Lines, an upload stream and a URL give the same content', async () => {
    await writeFile(join(dir, 'a.csv'), CSV);
    await writeFile(join(dir, 'a.tsv'), CSV.replaceAll(',', '\t'));
    await writeFile(join(dir, 'a.csv.gz'), gzipSync(CSV));
    await writeFile(join(dir, 'a.jsonl'), JSONL);
    const server: Server = createServer((req, res) => {
      if (req.url === '/data/a.csv') res.end(CSV);
      else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const results = [];
      for (const source of [
        { kind: 'file', path: join(dir, 'a.csv') },
        { kind: 'file', path: join(dir, 'a.tsv') },
        { kind: 'file', path: join(dir, 'a.csv.gz') },
        { kind: 'file', path: join(dir, 'a.jsonl') },
        {
          kind: 'stream',
          stream: Readable.from([Buffer.from(CSV.slice(0, 9)), Buffer.from(CSV.slice(9))]),
          format: 'csv',
        },
        { kind: 'url', url: `${base}/data/a.csv` },
      ] as const) {
        results.push(await ingestToArtifacts({ useCase: 'tabular', source }, { store }));
      }
      expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
      const first = results[0]!;
      expect(first.rows).toBe(4);
      expect(first.split.counts.train + first.split.counts.validation + first.split.counts.test).toBe(4);
      const rows = await collect<TabularRow>(readRows(store, first.sha256, 'tabular'));
      expect(rows[0]).toEqual({ features: { x: 1.5, colour: 'red' }, target: 'yes' });
      expect(rows[3]).toEqual({ features: { x: 4, colour: null }, target: 'no' });
      expect(first.profile.columns.x).toMatchObject({
        kind: 'numeric',
        count: 4,
        min: 1.5,
        max: 4,
        mean: 2.6875,
      });
      expect(first.profile.columns.colour).toMatchObject({
        kind: 'categorical',
        count: 3,
        missing: 1,
        distinct: 2,
      });
      await expect(
        ingestToArtifacts(
          { useCase: 'tabular', source: { kind: 'url', url: `${base}/nope.csv` } },
          { store },
        ),
      ).rejects.toMatchObject({
        code: 'source_not_found',
        message: expect.stringMatching(/HTTP 404/),
      });
    } finally {
      server.close();
    }
  });
});

describe('Postgres query source', () => {
  const { databaseUrl } = requireServices();
  const schema = `data_src_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  // The test database plays the warehouse: its URL comes from the worker's configuration, as
  // LATHE_CONNECTION_WAREHOUSE_URL would give it, and the spec only names it.
  const connections = createConnections({ warehouse: databaseUrl });
  const hasPassword = new URL(databaseUrl).password !== '';
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(
      `CREATE TABLE ${schema}.ratings (customer text, product text, stars int, at timestamptz)`,
    );
    await admin.query(
      `INSERT INTO ${schema}.ratings SELECT 'c' || (g % 37), 'p' || (g % 11), 1 + g % 5, timestamptz '2025-01-01' + g * interval '1 hour' FROM generate_series(1, 2500) g`,
    );
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('streams a query through a cursor into recommendation rows, split per user, over a named connection', async () => {
    const result = await ingestToArtifacts(
      {
        useCase: 'recommendation',
        source: {
          kind: 'postgres',
          connection: 'warehouse',
          query: `SELECT customer, product, stars, at FROM ${schema}.ratings ORDER BY at`,
        },
        columnMap: { user: 'customer', item: 'product', rating: 'stars', timestamp: 'at' },
        split: { strategy: 'leave-last-n-out', n: 1 },
      },
      { store, connections },
    );
    expect(result.rows).toBe(2500);
    expect(result.split.counts.test).toBe(37);
    expect(result.profile.columns.rating).toMatchObject({ min: 1, max: 5 });
    const rows = await collect<{ user: string; timestamp: number }>(
      readRows(store, result.sha256, 'recommendation'),
    );
    expect(rows[0]).toEqual({
      user: 'c1',
      item: 'p1',
      rating: 2,
      timestamp: Date.parse('2025-01-01T01:00:00Z'),
    });
    // The version's metadata names the connection and the database, never a password.
    const url = new URL(databaseUrl);
    expect(result.source).toEqual({
      database: `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`,
      connection: 'warehouse',
      query: expect.any(String),
    });
  });

  it('a failing query fails with source_query_failed and stores nothing', async () => {
    await expect(
      ingestToArtifacts(
        {
          useCase: 'recommendation',
          source: { kind: 'postgres', connection: 'warehouse', query: `SELECT nope FROM ${schema}.ratings` },
        },
        { store, connections },
      ),
    ).rejects.toMatchObject({
      code: 'source_query_failed',
      message: expect.stringMatching(/connection warehouse .*column "nope" does not exist/),
    });
    const all: string[] = [];
    for await (const s of store.list()) all.push(s);
    expect(all).toEqual([]);
  });

  it('an unknown connection fails with unknown_connection naming the known ones', async () => {
    await expect(
      ingestToArtifacts(
        {
          useCase: 'recommendation',
          source: { kind: 'postgres', connection: 'warehous', query: 'SELECT 1' },
        },
        { store, connections },
      ),
    ).rejects.toMatchObject({
      code: 'unknown_connection',
      message: expect.stringMatching(/no connection named "warehous".*the known ones are warehouse/),
    });
  });

  it.skipIf(hasPassword)(
    'an inline connection string without a password still works, unless the workers deny inline strings',
    async () => {
      const spec = {
        useCase: 'tabular' as const,
        source: {
          kind: 'postgres' as const,
          connectionString: databaseUrl,
          query: `SELECT stars, product FROM ${schema}.ratings`,
        },
        columnMap: { target: 'product' },
      };
      expect((await ingestToArtifacts(spec, { store })).rows).toBe(2500);
      await expect(
        ingestToArtifacts(spec, {
          store,
          connections: createConnections({}, { inlineConnectionStrings: 'deny' }),
        }),
      ).rejects.toMatchObject({ code: 'inline_connection_refused' });
    },
  );

  it('refuses a connection string with a password, saying to name a connection', async () => {
    await expect(
      ingestToArtifacts(
        {
          useCase: 'tabular',
          source: {
            kind: 'postgres',
            connectionString: 'postgresql://lathe:hunter2@db.example/sales',
            query: 'SELECT 1',
          },
        },
        { store },
      ),
    ).rejects.toThrow(/connection string with a password is not accepted.*name a connection instead/);
  });
});

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(8, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

describe('image sources', () => {
  it('IDX files (gzip or not) give images with their labels', async () => {
    const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i);
    await writeFile(join(dir, 'img.idx.gz'), gzipSync(idx([3, 4, 5], pixels)));
    await writeFile(join(dir, 'lab.idx'), idx([3], Uint8Array.from([2, 0, 2])));
    const result = await ingestToArtifacts(
      {
        useCase: 'image',
        source: { kind: 'idx', images: join(dir, 'img.idx.gz'), labels: join(dir, 'lab.idx') },
      },
      { store },
    );
    expect(result.schema.image).toEqual({ width: 5, height: 4, channels: 1 });
    expect(result.profile.labels).toEqual({ '0': 1, '2': 2 });
    const rows = await collect<ImageRow>(readRows(store, result.sha256, 'image'));
    expect(rows.map((r) => r.label)).toEqual(['2', '0', '2']);
    expect(Array.from(rows[1]!.pixels)).toEqual(Array.from(pixels.subarray(20, 40)));
  });

  it('an image folder is labelled by sub-folder, decoded to greyscale, resized on request', async () => {
    for (const [label, shade] of [
      ['dark', 10],
      ['light', 240],
    ] as const) {
      await mkdir(join(dir, 'imgs', label), { recursive: true });
      for (const n of [1, 2]) {
        const image = sharp({
          create: { width: 6 + n, height: 4, channels: 3, background: { r: shade, g: shade, b: shade } },
        });
        await writeFile(
          join(dir, 'imgs', label, `${n}.${n === 1 ? 'png' : 'jpg'}`),
          await (n === 1 ? image.png() : image.jpeg()).toBuffer(),
        );
      }
    }
    const result = await ingestToArtifacts(
      {
        useCase: 'image',
        source: { kind: 'image-folder', path: join(dir, 'imgs'), resize: { width: 4, height: 4 } },
      },
      { store },
    );
    expect(result.schema.image).toEqual({ width: 4, height: 4, channels: 1 });
    const rows = await collect<ImageRow>(readRows(store, result.sha256, 'image'));
    expect(rows.map((r) => r.label)).toEqual(['dark', 'dark', 'light', 'light']);
    expect(Math.abs(rows[0]!.pixels[0]! - 10)).toBeLessThanOrEqual(2);
    expect(Math.abs(rows[3]!.pixels[15]! - 240)).toBeLessThanOrEqual(2);
  });
});

describe('sample sources', () => {
  it('Fashion-MNIST from the Debian package, first rows of the training set', async () => {
    const result = await ingestToArtifacts(
      {
        useCase: 'image',
        source: { kind: 'sample', name: 'fashion-mnist', options: { part: 'train' } },
        limit: 40,
        split: { strategy: 'stratified' },
      },
      { store },
    );
    expect(result.rows).toBe(40);
    expect(result.schema.image).toEqual({ width: 28, height: 28, channels: 1 });
    // The first training labels of Fashion-MNIST: 9 (Ankle boot), 0 (T-shirt/top), 0, 3 (Dress).
    const rows = await collect<ImageRow>(readRows(store, result.sha256, 'image'));
    expect(rows.slice(0, 4).map((r) => r.label)).toEqual([
      'Ankle boot',
      'T-shirt/top',
      'T-shirt/top',
      'Dress',
    ]);
  });

  it('Fashion-MNIST missing → sample_unavailable naming the Debian package; nothing stored', async () => {
    const empty = join(dir, 'no-fashion-mnist');
    await mkdir(empty);
    await expect(
      ingestToArtifacts(
        { useCase: 'image', source: { kind: 'sample', name: 'fashion-mnist', options: { dir: empty } } },
        { store },
      ),
    ).rejects.toMatchObject({
      code: 'sample_unavailable',
      message: expect.stringContaining('apt-get install -y dataset-fashion-mnist'),
    });
    const left: string[] = [];
    for await (const sha of store.list()) left.push(sha);
    expect(left).toEqual([]);
  });

  it('Debian package descriptions labelled by section', async () => {
    const result = await ingestToArtifacts(
      { useCase: 'nlp', source: { kind: 'sample', name: 'debian-packages', options: {} }, limit: 300 },
      { store },
    );
    expect(result.rows).toBe(300);
    const rows = await collect<TextRow>(readRows(store, result.sha256, 'nlp'));
    expect(rows.every((r) => r.text.length > 0 && !r.label.includes('/'))).toBe(true);
    expect(Object.keys(result.profile.labels ?? {}).length).toBeGreaterThan(5);
  });

  it('an empty package index → sample_unavailable telling to run apt-get update; nothing stored', async () => {
    await expect(
      ingestToArtifacts(
        {
          useCase: 'nlp',
          source: { kind: 'sample', name: 'debian-packages', options: { input: Readable.from(['']) } },
        },
        { store },
      ),
    ).rejects.toMatchObject({
      code: 'sample_unavailable',
      message: expect.stringContaining('apt-get update'),
    });
    const left: string[] = [];
    for await (const sha of store.list()) left.push(sha);
    expect(left).toEqual([]);
  });

  it('keeps only the sections asked for, and counts the limit among them', async () => {
    const stanza = (name: string, section: string) =>
      `Package: ${name}\nSection: ${section}\nDescription: ${name} does things\n\n`;
    const index = [
      stanza('a', 'libs'),
      stanza('b', 'contrib/games'),
      stanza('c', 'libs'),
      stanza('d', 'doc'),
      stanza('e', 'games'),
      stanza('f', 'doc'),
    ].join('');
    const result = await ingestToArtifacts(
      {
        useCase: 'nlp',
        source: {
          kind: 'sample',
          name: 'debian-packages',
          options: { input: Readable.from([index]), sections: ['games', 'doc'] },
        },
        limit: 3,
      },
      { store },
    );
    const rows = await collect<TextRow>(readRows(store, result.sha256, 'nlp'));
    expect(rows.map((r) => r.label)).toEqual(['games', 'doc', 'games']);
    await expect(
      ingestToArtifacts(
        {
          useCase: 'nlp',
          source: {
            kind: 'sample',
            name: 'debian-packages',
            options: { input: Readable.from([index]), sections: 'doc' },
          },
        },
        { store },
      ),
    ).rejects.toMatchObject({ code: 'invalid_source', message: expect.stringContaining('sections') });
  });

  it('parses Packages stanzas (first line of the description, section without its area)', async () => {
    const text =
      'Package: a\nSection: contrib/games\nDescription: first line\n more text\n\nPackage: b\nSection: libs\nDescription: b lib\n';
    const stanzas = await collect(packageStanzas(Readable.from([text])));
    expect(stanzas).toEqual([
      { Package: 'a', Section: 'contrib/games', Description: 'first line' },
      { Package: 'b', Section: 'libs', Description: 'b lib' },
    ]);
  });
});
