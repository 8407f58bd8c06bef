/**
 * MNIST-style IDX files (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"): a big-endian
 * header `00 00 <type> <ndims>`, then ndims 32-bit dimension sizes, then the data. Images are
 * type 0x08 (unsigned byte) with 3 dimensions (count, rows, columns); labels are 0x08 with
 * one dimension. Files may be gzip-compressed. Both are read as streams, one record at a time.
 */
import type { Readable } from 'node:stream';
import { DataSourceError } from '../data-errors.ts';
import type { ImageShape } from '@lathe/contract';
import { maybeGunzip, openFile } from './byte-source.ts';
import type { OpenedSource, SourceRecord } from './source-record.ts';

/** Reads exactly n bytes at a time from a stream; `undefined` at a clean end. */
class ExactReader {
  private buffered: Buffer[] = [];
  private size = 0;
  offset = 0;
  private readonly iterator: AsyncIterator<Buffer>;
  constructor(stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }
  async read(n: number): Promise<Buffer | undefined> {
    while (this.size < n) {
      const next = await this.iterator.next();
      if (next.done) {
        if (this.size === 0) return undefined;
        const partial = this.size;
        this.buffered = [];
        this.size = 0;
        return Buffer.alloc(partial); // signalled to callers by length < n
      }
      this.buffered.push(next.value);
      this.size += next.value.length;
    }
    const all = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    this.offset += n;
    return out;
  }
}

async function readHeader(reader: ExactReader, label: string, expectedDims: number): Promise<number[]> {
  const magic = await reader.read(4);
  if (!magic || magic.length < 4)
    throw new DataSourceError('idx_truncated', `${label} ends inside the IDX header (offset 0)`, {
      offset: 0,
    });
  if (magic[0] !== 0 || magic[1] !== 0 || magic[2] !== 0x08 || magic[3] !== expectedDims) {
    throw new DataSourceError(
      'idx_bad_magic',
      `${label} offset 0: magic bytes ${magic.toString('hex')} are not an IDX file of unsigned bytes with ${expectedDims} dimension(s) (expected 000008${expectedDims.toString(16).padStart(2, '0')})`,
      { offset: 0, magic: magic.toString('hex') },
    );
  }
  const dims = await reader.read(4 * expectedDims);
  if (!dims || dims.length < 4 * expectedDims)
    throw new DataSourceError('idx_truncated', `${label} ends inside the IDX header (offset 4)`, {
      offset: 4,
    });
  return Array.from({ length: expectedDims }, (_, i) => dims.readUInt32BE(4 * i));
}

export async function openIdx(options: {
  images: string;
  labels: string;
  labelNames?: string[];
  limit?: number;
}): Promise<OpenedSource> {
  const images = new ExactReader(maybeGunzip(await openFile(options.images), options.images));
  const labels = new ExactReader(maybeGunzip(await openFile(options.labels), options.labels));
  const [count, height, width] = (await readHeader(images, options.images, 3)) as [number, number, number];
  const [labelCount] = (await readHeader(labels, options.labels, 1)) as [number];
  if (count !== labelCount) {
    throw new DataSourceError(
      'idx_count_mismatch',
      `${options.images} holds ${count} images but ${options.labels} holds ${labelCount} labels`,
      {
        images: count,
        labels: labelCount,
      },
    );
  }
  const shape: ImageShape = { width, height, channels: 1 };
  const size = width * height;
  const total = Math.min(count, options.limit ?? count);
  async function* records(): AsyncIterable<SourceRecord> {
    for (let row = 1; row <= total; row += 1) {
      const offset = images.offset;
      const pixels = await images.read(size);
      if (!pixels || pixels.length < size) {
        throw new DataSourceError(
          'idx_truncated',
          `${options.images} ends at image ${row} of ${count} (offset ${offset}); the file is truncated`,
          {
            row,
            offset,
          },
        );
      }
      const label = await labels.read(1);
      if (!label || label.length < 1) {
        throw new DataSourceError('idx_truncated', `${options.labels} ends at label ${row} of ${count}`, {
          row,
          offset: labels.offset,
        });
      }
      const code = label[0] as number;
      const name = options.labelNames ? options.labelNames[code] : String(code);
      yield { values: { label: name ?? String(code), pixels: new Uint8Array(pixels) }, row };
    }
  }
  return {
    format: 'idx',
    columns: ['label', 'pixels'],
    records: records(),
    image: shape,
    description: { images: options.images, labels: options.labels, count },
  };
}
