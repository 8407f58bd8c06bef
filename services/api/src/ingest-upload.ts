/**
 * Uploads of dataset content. The body is streamed to a temporary file (never buffered whole),
 * hashed on the way, and stopped with 413 as soon as it passes the size limit. The file is then
 * handed to an `IngestUpload` function: @lathe/data's ingest (ingest-with-data.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { Dataset, DatasetVersion, UseCase } from '@lathe/registry';
import type { UploadIngestOptions } from './ingest-options.ts';
import { HttpProblem } from '@lathe/core';

export type UploadFormat = 'csv' | 'jsonl';

export interface UploadedFile {
  path: string;
  format: UploadFormat;
  sha256: string;
  sizeBytes: number;
}

/** Which dataset an upload goes to: an existing one, or one created by name once the file is accepted. */
export type UploadTarget = { id: string } | { name: string; useCase: UseCase; description?: string };

export type IngestUpload = (input: {
  dataset: UploadTarget;
  file: UploadedFile;
  /** The user's own name for the file, for messages (never the server's temp path). */
  fileName?: string;
  options: UploadIngestOptions;
  source: Record<string, unknown>;
}) => Promise<{ dataset: Dataset; datasetCreated: boolean; version: DatasetVersion; created: boolean }>;

export function uploadFormat(req: Request, explicit: UploadFormat | undefined): UploadFormat {
  if (explicit) return explicit;
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/jsonlines')
    return 'jsonl';
  throw new HttpProblem(
    415,
    'unsupported_media_type',
    `upload a CSV (Content-Type: text/csv) or JSON Lines (application/x-ndjson) body, or pass ?format=csv|jsonl; got ${JSON.stringify(type || 'no Content-Type')}`,
  );
}

/** Streams the request body to `dir`, hashing it; 413 past `limitBytes`. */
export async function receiveUpload(
  req: Request,
  dir: string,
  format: UploadFormat,
  limitBytes: number,
): Promise<UploadedFile> {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw tooLarge(limitBytes);
  }
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${randomUUID()}.${format}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limitBytes) {
        callback(tooLarge(limitBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(req, meter, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    if (error instanceof HttpProblem) {
      // Stop reading: the client is told at once, the rest of the body is dropped.
      req.unpipe();
      req.resume();
      throw error;
    }
    throw new HttpProblem(
      400,
      'upload_interrupted',
      `the upload stopped after ${size} bytes: ${(error as Error).message}`,
    );
  }
  if (size === 0) {
    await rm(path, { force: true });
    throw new HttpProblem(
      422,
      'empty_upload',
      'the uploaded body is empty; send the CSV or JSON Lines content as the request body',
      [{ field: 'body', message: 'empty' }],
    );
  }
  return { path, format, sha256: hash.digest('hex'), sizeBytes: size };
}

function tooLarge(limitBytes: number): HttpProblem {
  return new HttpProblem(
    413,
    'payload_too_large',
    `the upload is larger than the limit of ${limitBytes} bytes (LATHE_API_UPLOAD_LIMIT)`,
  );
}
