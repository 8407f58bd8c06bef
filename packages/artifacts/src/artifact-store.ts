/**
 * The artifact store contract: immutable blobs addressed by the sha256 of their bytes.
 * Every backend verifies the digest while streaming a blob back, so a corrupted or tampered
 * file is never handed to a reader silently (docs/architecture.md, "Artifacts are immutable and
 * content-addressed").
 */
import type { Readable } from 'node:stream';

export interface PutResult {
  /** Lower-case hex sha256 of the stored bytes. */
  sha256: string;
  /** `file://…` for the local store, `s3://bucket/key` for S3. */
  uri: string;
  sizeBytes: number;
}

/** What `put` accepts: a stream, bytes in memory, or the path of a file to copy. */
export type PutSource = Readable | Buffer | Uint8Array | string;

/** A model or any other multi-file artifact: relative path → bytes. */
export type BundleFiles = Record<string, Buffer>;

export interface BundleManifest {
  kind: 'lathe.bundle/v1';
  files: Array<{ path: string; sha256: string; sizeBytes: number }>;
}

export interface ArtifactStore {
  /** Stores bytes; idempotent (the same bytes give the same sha256 and are stored once). */
  put(source: PutSource): Promise<PutResult>;
  /**
   * Streams the blob, hashing as it goes; the stream errors with `artifact_corrupt` when the
   * bytes do not match the digest, and the read fails with `artifact_not_found` when absent.
   */
  get(ref: string): Promise<Readable>;
  getBuffer(ref: string): Promise<Buffer>;
  has(ref: string): Promise<boolean>;
  delete(ref: string): Promise<void>;
  /** Every stored digest (tests and garbage collection). */
  list(): AsyncIterable<string>;
  /** The URI `put` would return for this digest. */
  uriOf(sha256: string): string;
}
