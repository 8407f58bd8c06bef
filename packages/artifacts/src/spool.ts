/**
 * Writes a put's bytes to a spool file while hashing them, in one pass: both stores need the
 * sha256 (the artifact's name) before the bytes reach their final place (a rename, an upload),
 * and a source stream can be read only once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PutSource } from './artifact-store.ts';

export function toReadable(source: PutSource): Readable {
  if (typeof source === 'string') return createReadStream(source);
  if (source instanceof Uint8Array)
    return Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
  return source;
}

export interface Spooled {
  path: string;
  sha256: string;
  /** The same digest, raw (S3's ChecksumSHA256 wants it base64). */
  digest: Buffer;
  sizeBytes: number;
}

/** Spools `source` into a new file under `dir`; on failure the partial file is removed. */
export async function spoolWithHash(source: PutSource, dir: string): Promise<Spooled> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  try {
    await pipeline(
      toReadable(source),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          sizeBytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(path, { flags: 'wx' }),
    );
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  const digest = hash.digest();
  return { path, sha256: digest.toString('hex'), digest, sizeBytes };
}
