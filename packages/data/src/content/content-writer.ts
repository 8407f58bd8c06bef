/**
 * Writes normalised rows as JSON Lines to a temporary file while hashing them, so the content's
 * sha256 (its identity) is known when the last row is written, without a second pass. Image
 * pixels are base64 in the file (rows.ts). Nothing reaches the artifact store from here.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyRow } from '@lathe/contract';

export function encodeRow(row: AnyRow): string {
  if ('pixels' in row)
    return JSON.stringify({
      label: row.label,
      pixels: Buffer.from(row.pixels.buffer, row.pixels.byteOffset, row.pixels.byteLength).toString('base64'),
    });
  return JSON.stringify(row);
}

export class ContentWriter {
  private readonly hash = createHash('sha256');
  private stream!: WriteStream;
  private dir!: string;
  rows = 0;
  bytes = 0;
  // Lines are gathered into ~1 MB pieces before hashing and writing: one write per line
  // costs more than the JSON encoding itself.
  private pending = '';

  static async open(): Promise<ContentWriter> {
    const writer = new ContentWriter();
    writer.dir = await mkdtemp(join(tmpdir(), 'lathe-ingest-'));
    writer.stream = createWriteStream(join(writer.dir, 'content.jsonl'));
    return writer;
  }

  get path(): string {
    return join(this.dir, 'content.jsonl');
  }

  async write(row: AnyRow): Promise<void> {
    this.pending += `${encodeRow(row)}\n`;
    this.rows += 1;
    if (this.pending.length >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending === '') return;
    const piece = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    this.hash.update(piece);
    this.bytes += piece.length;
    if (!this.stream.write(piece)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  /** Closes the file; returns its sha256. */
  async finish(): Promise<string> {
    await this.flush();
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    return this.hash.digest('hex');
  }

  /** Closes (if still open) and deletes the temp file; safe after finish() or a failure. */
  async discard(): Promise<void> {
    if (!this.stream.closed) {
      this.stream.on('error', () => undefined);
      await new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
        this.stream.end();
      });
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
