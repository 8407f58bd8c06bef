/**
 * The S3 store against a real S3 protocol server (s3rver, in-process, over HTTP on a free
 * port): SigV4 request signing (checked by the server), path-style URLs, 404s, listing by
 * prefix and the digest check on read all go through real HTTP, as with MinIO or AWS. (s3rver
 * does not check the upload's ChecksumSHA256; MinIO and AWS do.)
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactCorruptError, ArtifactNotFoundError } from './artifact-errors.ts';
import { getBundle, putBundle } from './bundle.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';

const BUCKET = 'lathe-artifacts';
let server: S3rver;
let serverDir: string;
let spoolDir: string;
let endpoint: string;

beforeAll(async () => {
  serverDir = await mkdtemp(join(tmpdir(), 'lathe-s3rver-'));
  spoolDir = await mkdtemp(join(tmpdir(), 'lathe-s3-spool-'));
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory: serverDir,
    silent: true,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const address = (await server.run()) as AddressInfo;
  endpoint = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await server?.close();
  await rm(serverDir, { recursive: true, force: true });
  await rm(spoolDir, { recursive: true, force: true });
});

// s3rver accepts these (its default account), as MinIO accepts its root user's.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const storeWith = (prefix?: string) =>
  new S3ArtifactStore({ bucket: BUCKET, endpoint, credentials, spoolDir, ...(prefix ? { prefix } : {}) });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('S3ArtifactStore against an S3 server', () => {
  it('puts content-addressed objects, reads them back verified, and reports what it has', async () => {
    const store = storeWith('models');
    const bytes = Buffer.from('a model, byte for byte\n');
    const put = await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));
    expect(put).toEqual({
      sha256: sha(bytes),
      uri: `s3://${BUCKET}/models/sha256/${sha(bytes).slice(0, 2)}/${sha(bytes)}`,
      sizeBytes: bytes.length,
    });
    expect(await store.getBuffer(put.uri)).toEqual(bytes);
    expect(await store.has(put.sha256)).toBe(true);
    // Same bytes again: same key, nothing new (the spool is gone either way).
    expect(await store.put(bytes)).toEqual(put);
    expect(await readdir(spoolDir)).toEqual([]);

    const missing = 'f'.repeat(64);
    expect(await store.has(missing)).toBe(false);
    await expect(store.getBuffer(missing)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await store.delete(put.sha256);
    expect(await store.has(put.sha256)).toBe(false);
  });

  it('refuses to return bytes that do not match their digest', async () => {
    const store = storeWith('tampered');
    const bytes = Buffer.from('the real bytes');
    const { sha256 } = await store.put(bytes);
    // Someone overwrites the object behind Lathe's back.
    await store.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: store.keyOf(sha256), Body: Buffer.from('other bytes!!!') }),
    );
    await expect(store.getBuffer(sha256)).rejects.toBeInstanceOf(ArtifactCorruptError);
  });

  it('lists every artifact under its prefix and nothing else', async () => {
    const store = storeWith('listed');
    await storeWith('elsewhere').put(Buffer.from('not listed'));
    const digests = new Set<string>();
    // One page (under ListObjectsV2's 1,000 keys): s3rver makes continuation tokens with DES,
    // which Node 17+'s OpenSSL 3 refuses, so paging is not exercised against this server.
    for (let i = 0; i < 25; i++) digests.add((await store.put(Buffer.from(`artifact ${i}`))).sha256);
    const listed: string[] = [];
    for await (const digest of store.list()) listed.push(digest);
    expect(listed.length).toBe(25);
    expect(new Set(listed)).toEqual(digests);
  });

  it('stores a bundle (a model: manifest and weight shards) and gets it back file by file', async () => {
    const store = storeWith('bundles');
    const files = {
      'model.json': Buffer.from('{"format":"layers-model"}'),
      'weights/group1.bin': Buffer.alloc(4096, 7),
    };
    const bundle = await putBundle(store, files);
    expect(await getBundle(store, bundle.sha256)).toEqual(files);
  });
});
