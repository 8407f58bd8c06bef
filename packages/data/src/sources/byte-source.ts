/**
 * Opens the bytes of a file, URL or stream, decompressing gzip when the first two bytes are
 * gzip's magic (RFC 1952), whatever the file is called. A gzip stream that ends early fails
 * with `truncated_gzip` and the compressed offset reached.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LatheError } from '@lathe/core';
import { DataSourceError } from '../data-errors.ts';

export async function openFile(path: string): Promise<Readable> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new DataSourceError('source_not_found', `${path} is not a file`, { path });
  } catch (error) {
    if (error instanceof LatheError) throw error;
    throw new DataSourceError('source_not_found', `cannot read ${path}: no such file`, { path });
  }
  return createReadStream(path, { highWaterMark: 1 << 20 });
}

export async function openUrl(url: string, signal?: AbortSignal): Promise<Readable> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (error) {
    throw new LatheError('source_unreachable', `cannot fetch ${url}: ${(error as Error).message}`, {
      httpStatus: 502,
      details: { url },
      cause: error,
    });
  }
  if (!response.ok || !response.body) {
    throw new DataSourceError('source_not_found', `GET ${url} answered HTTP ${response.status}`, {
      url,
      status: response.status,
    });
  }
  return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
}

/** Peeks at the first bytes and inserts a gunzip stage when they are gzip's magic 1f 8b. */
export function maybeGunzip(input: Readable, label: string): Readable {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  let decided = false;
  let compressedOffset = 0;
  const fail = (error: Error) => output.destroy(error);
  input.once('error', fail);
  // A reader that stops early destroys `output`; stop the source too, or it writes into a closed pipe.
  output.once('close', () => input.destroy());
  const onFirst = (chunk: Buffer) => {
    decided = true;
    input.pause();
    input.off('data', onFirst);
    input.unshift(chunk);
    if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
      const gunzip = createGunzip();
      input.on('data', (c: Buffer) => {
        compressedOffset += c.length;
      });
      gunzip.on('error', (error: NodeJS.ErrnoException) => {
        const truncated = error.code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message);
        fail(
          new DataSourceError(
            truncated ? 'truncated_gzip' : 'corrupt_gzip',
            truncated
              ? `${label} is a truncated gzip file: the compressed data ends at offset ${compressedOffset} before the end of the stream; re-copy or re-compress it`
              : `${label} is not a valid gzip stream (${error.message}) near compressed offset ${compressedOffset}`,
            { offset: compressedOffset },
          ),
        );
      });
      input.pipe(gunzip).pipe(output);
    } else {
      input.pipe(output);
    }
    input.resume();
  };
  input.on('data', onFirst);
  input.once('end', () => {
    if (!decided) output.end();
  });
  return output;
}
