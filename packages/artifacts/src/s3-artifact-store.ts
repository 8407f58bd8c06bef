/**
 * Artifacts in an S3-compatible bucket (AWS, MinIO, Ceph, R2), same layout as the local store
 * under an optional prefix: `<prefix>/sha256/<ab>/<sha256>`.
 *
 * The key is the digest, and the digest is known only after reading every byte, so `put`
 * first spools the source to a local temp file while hashing (bounded memory), then uploads
 * it with `ChecksumSHA256` so the server rejects bytes damaged on the way. An object appears
 * under its key only when the upload completes, which makes the write atomic for readers.
 * PutObject takes up to 5 GB; larger artifacts would need multipart upload (not needed yet).
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { ArtifactNotFoundError } from './artifact-errors.ts';
import { artifactKey, parseArtifactRef } from './artifact-ref.ts';
import type { ArtifactStore, PutResult, PutSource } from './artifact-store.ts';
import { spoolWithHash } from './spool.ts';
import { verifyingStream } from './verify-stream.ts';

export interface S3ArtifactStoreOptions {
  bucket: string;
  prefix?: string;
  /** e.g. `http://127.0.0.1:9000` for MinIO; omitted for AWS. */
  endpoint?: string;
  region?: string;
  /** MinIO and most self-hosted servers need path-style URLs. */
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Where uploads are spooled while hashing; defaults to the OS temp dir. */
  spoolDir?: string;
  /** An already-configured client (tests, custom middleware). */
  client?: S3Client;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  private readonly spoolDir: string;

  constructor(options: S3ArtifactStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.spoolDir = options.spoolDir ?? join(tmpdir(), 'lathe-s3-spool');
    const config: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    };
    if (options.endpoint !== undefined) config.endpoint = options.endpoint;
    if (options.credentials !== undefined) config.credentials = options.credentials;
    this.client = options.client ?? new S3Client(config);
  }

  keyOf(sha256: string): string {
    return artifactKey(sha256, this.prefix);
  }

  uriOf(sha256: string): string {
    return `s3://${this.bucket}/${this.keyOf(sha256)}`;
  }

  async put(source: PutSource): Promise<PutResult> {
    const { path: spool, sha256, digest, sizeBytes } = await spoolWithHash(source, this.spoolDir);
    try {
      if (!(await this.has(sha256))) {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.keyOf(sha256),
            Body: createReadStream(spool),
            ContentLength: sizeBytes,
            ChecksumSHA256: digest.toString('base64'),
          }),
        );
      }
      return { sha256, uri: this.uriOf(sha256), sizeBytes };
    } finally {
      await rm(spool, { force: true });
    }
  }

  async get(ref: string): Promise<Readable> {
    const sha256 = parseArtifactRef(ref);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }),
      );
      const body = response.Body as Readable | undefined;
      if (!body) throw new ArtifactNotFoundError(ref);
      const verify = verifyingStream(sha256, this.uriOf(sha256));
      body.on('error', (error) => verify.destroy(error));
      return body.pipe(verify);
    } catch (error) {
      if (isMissing(error)) throw new ArtifactNotFoundError(ref);
      throw error;
    }
  }

  async getBuffer(ref: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.get(ref)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async has(ref: string): Promise<boolean> {
    try {
      await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(parseArtifactRef(ref)) }),
      );
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(ref: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(parseArtifactRef(ref)) }),
    );
  }

  async *list(): AsyncIterable<string> {
    let token: string | undefined;
    const prefix = this.keyOf('0'.repeat(64)).replace(/[^/]*\/[^/]*$/, '');
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? [])
        if (object.Key) yield object.Key.slice(object.Key.lastIndexOf('/') + 1);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
