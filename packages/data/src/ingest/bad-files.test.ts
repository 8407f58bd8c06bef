/**
 * The bad-file suite: each broken input fails with its own error code, a message that points
 * at the row, line or byte offset, and leaves nothing in the artifact store.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import type { IngestSpecInput } from '@lathe/contract';
import { ingestToArtifacts } from './ingest-to-artifacts.ts';

let dir: string;
let store: LocalArtifactStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-bad-'));
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

async function expectFailure(spec: IngestSpecInput, code: string, message: RegExp): Promise<void> {
  await expect(ingestToArtifacts(spec, { store })).rejects.toMatchObject({
    code,
    message: expect.stringMatching(message),
  });
  expect(await stored()).toEqual([]);
}

const nlp = (path: string, extra: Partial<IngestSpecInput> = {}): IngestSpecInput => ({
  useCase: 'nlp',
  source: { kind: 'file', path },
  ...extra,
});

describe('bad text files', () => {
  const cases: Array<[name: string, content: string | Buffer, code: string, message: RegExp]> = [
    ['empty.csv', '', 'empty_source', /empty \(0 bytes\)/],
    ['header-only.csv', 'text,label\n', 'no_rows', /header \(text, label\) but no data rows/],
    ['ragged.csv', 'text,label\nok,pos\ntoo,many,fields\n', 'ragged_row', /line 3: 3 fields/],
    ['semicolons.csv', 'text;label\nok;pos\n', 'wrong_delimiter', /line 1: .*contains ";"/],
    [
      'latin1.csv',
      Buffer.concat([Buffer.from('text,label\ncaf'), Buffer.from([0xe9]), Buffer.from(',pos\n')]),
      'invalid_encoding',
      /byte 0xe9 at offset 14/,
    ],
    [
      'utf16.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('text,label\n', 'utf16le')]),
      'unsupported_encoding',
      /UTF-16 byte-order mark \(offset 0\)/,
    ],
    [
      'nan-label.csv',
      'text,label\nok,pos\nhm,NaN\n',
      'non_finite_label',
      /row 2, column `label`: value "NaN"/,
    ],
    [
      'inf-label.csv',
      'text,label\nok,pos\nhm,Infinity\nhi,-inf\n',
      'non_finite_label',
      /2 invalid values.*row 2, column `label`: value "Infinity".*row 3/,
    ],
    [
      'missing-column.csv',
      'body,label\nok,pos\n',
      'missing_column',
      /no column `text`.*columns are `body`, `label`/,
    ],
    ['bad.jsonl', '{"text":"ok","label":"pos"}\n{not json\n', 'malformed_json', /line 2 \(offset 28\)/],
  ];
  it.each(cases)('%s → %s', async (name, content, code, message) => {
    await expectFailure(nlp(await file(name, content)), code, message);
  });

  it('unknown label values → unknown_label, listing the first N and the total', async () => {
    const rows = ['text,label', 'a,pos', ...Array.from({ length: 30 }, (_, i) => `t${i},maybe`)].join('\n');
    const path = await file('labels.csv', rows);
    await expect(
      ingestToArtifacts(nlp(path, { schema: { columns: [], labels: ['pos', 'neg'] }, maxErrors: 3 }), {
        store,
      }),
    ).rejects.toMatchObject({
      code: 'unknown_label',
      message: expect.stringMatching(
        /^30 invalid values \(30 unknown_label\); row 2, column `label`: value "maybe" is not one of the declared labels.*; and 27 more/,
      ),
      details: { totalIssues: 30 },
    });
    expect(await stored()).toEqual([]);
  });

  it('duplicate ids where unique is required → duplicate_value naming both rows', async () => {
    const path = await file('dupes.csv', 'id,text,label\n1,a,pos\n2,b,neg\n1,c,pos\n');
    await expectFailure(
      nlp(path, { schema: { columns: [{ name: 'id', unique: true }] } }),
      'duplicate_value',
      /row 3, column `id`: value "1" must be unique but already appeared at row 1/,
    );
  });

  it('a 100 MB single line → line_too_long, without reading the whole line', async () => {
    let produced = 0;
    const chunk = Buffer.alloc(1 << 20, 'a');
    const huge = new Readable({
      read() {
        if (produced === 0) this.push('text,label\n');
        if (produced >= 100) return void this.push(null);
        produced += 1;
        this.push(chunk);
      },
    });
    await expectFailure(
      { useCase: 'nlp', source: { kind: 'stream', stream: huge, format: 'csv' }, maxLineBytes: 4 << 20 },
      'line_too_long',
      /line 2: a record is longer than 4194304/,
    );
    expect(produced).toBeLessThan(20);
  });

  it('a 100 MB JSON line → line_too_long with its byte offset', async () => {
    let produced = 0;
    const huge = new Readable({
      read() {
        if (produced === 0) this.push('{"text":"a","label":"b"}\n{"text":"');
        if (produced >= 100) return void this.push(null);
        produced += 1;
        this.push(Buffer.alloc(1 << 20, 'a'));
      },
    });
    await expectFailure(
      { useCase: 'nlp', source: { kind: 'stream', stream: huge, format: 'jsonl' }, maxLineBytes: 4 << 20 },
      'line_too_long',
      /line 2 \(offset 25\)/,
    );
    expect(produced).toBeLessThan(20);
  });

  it('a truncated gzip file → truncated_gzip with the offset reached', async () => {
    const whole = gzipSync(
      Buffer.from(
        `text,label\n${Array.from({ length: 2000 }, (_, i) => `row ${i} ${Math.sin(i)},pos`).join('\n')}\n`,
      ),
    );
    const path = await file('cut.csv.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    await expectFailure(
      nlp(path),
      'truncated_gzip',
      new RegExp(`truncated gzip file: .*offset ${Math.floor(whole.length / 2)}`),
    );
  });

  it('a UTF-8 byte-order mark is accepted and does not change the content hash', async () => {
    const plain = await ingestToArtifacts(nlp(await file('plain.csv', 'text,label\nok,pos\nno,neg\n')), {
      store,
    });
    const bom = await ingestToArtifacts(nlp(await file('bom.csv', '\ufefftext,label\nok,pos\nno,neg\n')), {
      store,
    });
    expect(bom.sha256).toBe(plain.sha256);
  });
});

describe('bad binary files', () => {
  it('an IDX file with the wrong magic → idx_bad_magic at offset 0', async () => {
    const images = await file('images.idx', Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 7]));
    const labels = await file('labels.idx', Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 7]));
    await expectFailure(
      { useCase: 'image', source: { kind: 'idx', images, labels } },
      'idx_bad_magic',
      /images\.idx offset 0: magic bytes 00000801/,
    );
  });

  it('an image of the wrong size in an image folder → wrong_image_size naming the file and row', async () => {
    await mkdir(join(dir, 'imgs', 'cat'), { recursive: true });
    const png = (w: number, h: number) =>
      sharp({ create: { width: w, height: h, channels: 3, background: '#808080' } })
        .png()
        .toBuffer();
    await writeFile(join(dir, 'imgs', 'cat', 'a.png'), await png(8, 8));
    await writeFile(join(dir, 'imgs', 'cat', 'b.png'), await png(9, 8));
    await expectFailure(
      { useCase: 'image', source: { kind: 'image-folder', path: join(dir, 'imgs') } },
      'wrong_image_size',
      /b\.png \(row 2\) is 9×8 but the dataset's images are 8×8/,
    );
  });
});
