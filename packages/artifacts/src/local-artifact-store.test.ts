import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from './local-artifact-store.ts';
import { getBundle, getBundleManifest, putBundle } from './bundle.ts';
import { createArtifactStore, artifactStoreConfigFromEnv } from './create-artifact-store.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';

let root: string;
let store: LocalArtifactStore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lathe-artifacts-'));
  store = new LocalArtifactStore(root);
});
afterEach(async () => rm(root, { recursive: true, force: true }));

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('LocalArtifactStore', () => {
  it('stores a buffer under sha256/<ab>/<sha256> and reads it back', async () => {
    const bytes = Buffer.from('hello lathe\n');
    const put = await store.put(bytes);
    expect(put.sha256).toBe(sha(bytes));
    expect(put.sizeBytes).toBe(bytes.length);
    expect(put.uri).toBe(`file://${root}/sha256/${put.sha256.slice(0, 2)}/${put.sha256}`);
    expect(await readFile(join(root, 'sha256', put.sha256.slice(0, 2), put.sha256))).toEqual(bytes);
    expect(await store.getBuffer(put.sha256)).toEqual(bytes);
    expect(await store.getBuffer(put.uri)).toEqual(bytes);
    expect(await store.has(put.sha256)).toBe(true);
    // No temp file left behind after a successful write.
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('accepts streams and file paths; identical content is stored once', async () => {
    const path = join(root, 'in.bin');
    await writeFile(path, 'same bytes');
    const a = await store.put(path);
    const b = await store.put(Readable.from([Buffer.from('same '), Buffer.from('bytes')]));
    expect(a.sha256).toBe(b.sha256);
    const all: string[] = [];
    for await (const s of store.list()) all.push(s);
    expect(all).toEqual([a.sha256]);
  });

  it('fails a read with artifact_corrupt when the bytes on disk changed', async () => {
    const put = await store.put(Buffer.from('original'));
    await writeFile(store.pathOf(put.sha256), 'tampered');
    await expect(drain(await store.get(put.sha256))).rejects.toMatchObject({ code: 'artifact_corrupt' });
  });

  it('reports missing artifacts and bad references with their own codes', async () => {
    await expect(store.get('a'.repeat(64))).rejects.toMatchObject({ code: 'artifact_not_found' });
    await expect(store.get('not-a-digest')).rejects.toMatchObject({ code: 'invalid_artifact_ref' });
  });

  it('leaves nothing behind when the source stream fails mid-write', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(store.put(failing)).rejects.toThrow('source broke');
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    const all: string[] = [];
    for await (const s of store.list()) all.push(s);
    expect(all).toEqual([]);
  });

  it('deletes', async () => {
    const put = await store.put(Buffer.from('x'));
    await store.delete(put.sha256);
    expect(await store.has(put.sha256)).toBe(false);
  });
});

describe('bundles', () => {
  it('stores files under a manifest whose id depends only on the files', async () => {
    const files = {
      'model.json': Buffer.from('{"a":1}'),
      'weights/group1-shard1of1.bin': Buffer.from([1, 2, 3]),
    };
    const a = await putBundle(store, files);
    const b = await putBundle(store, {
      'weights/group1-shard1of1.bin': Buffer.from([1, 2, 3]),
      'model.json': Buffer.from('{"a":1}'),
    });
    expect(a.sha256).toBe(b.sha256);
    expect(a.manifest.files.map((f) => f.path)).toEqual(['model.json', 'weights/group1-shard1of1.bin']);
    expect(await getBundle(store, a.uri)).toEqual(files);
    expect((await getBundleManifest(store, a.sha256)).files[1]?.sha256).toBe(sha(Buffer.from([1, 2, 3])));
  });

  it('rejects paths that could escape the bundle', async () => {
    await expect(putBundle(store, { '../x': Buffer.from('') })).rejects.toMatchObject({
      code: 'invalid_bundle_path',
    });
  });

  it('refuses to read a blob that is not a manifest as a bundle', async () => {
    const put = await store.put(Buffer.from('plain'));
    await expect(getBundle(store, put.sha256)).rejects.toMatchObject({ code: 'not_a_bundle' });
  });
});

describe('S3ArtifactStore (no server: key layout and configuration)', () => {
  it('puts objects under <prefix>/sha256/<ab>/<sha256>', () => {
    const s3 = new S3ArtifactStore({ bucket: 'b', prefix: '/models/', endpoint: 'http://127.0.0.1:9' });
    const digest = 'ab' + '0'.repeat(62);
    expect(s3.keyOf(digest)).toBe(`models/sha256/ab/${digest}`);
    expect(s3.uriOf(digest)).toBe(`s3://b/models/sha256/ab/${digest}`);
    expect(new S3ArtifactStore({ bucket: 'b' }).keyOf(digest)).toBe(`sha256/ab/${digest}`);
  });

  it('is chosen from the environment when a bucket is set', () => {
    expect(
      createArtifactStore(
        artifactStoreConfigFromEnv({ LATHE_S3_BUCKET: 'x', LATHE_S3_ENDPOINT: 'http://minio:9000' }),
      ),
    ).toBeInstanceOf(S3ArtifactStore);
    const local = createArtifactStore(artifactStoreConfigFromEnv({ LATHE_ARTIFACT_DIR: root }));
    expect(local).toBeInstanceOf(LocalArtifactStore);
    expect((local as LocalArtifactStore).root).toBe(root);
    expect(() => artifactStoreConfigFromEnv({ LATHE_S3_ENDPOINT: 'http://x' })).toThrow(/LATHE_S3_BUCKET/);
    expect(() => artifactStoreConfigFromEnv({ LATHE_S3_BUCKET: 'x', LATHE_S3_ACCESS_KEY_ID: 'k' })).toThrow(
      /both/,
    );
  });
});
