/**
 * JSON Lines (https://jsonlines.org): one JSON object per line. Lines are split by hand
 * because a JSON parser is still used for each line; the splitter enforces `maxLineBytes`
 * so a file without line breaks cannot exhaust memory.
 */
import type { Readable } from 'node:stream';
import { DataSourceError } from '../data-errors.ts';
import type { OpenedSource, SourceRecord } from './source-record.ts';

async function* lines(
  bytes: Readable,
  label: string,
  maxLineBytes: number,
): AsyncIterable<{ text: string; line: number; offset: number }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  let offset = 0; // byte offset of the start of the current line
  let first = true;
  for await (const raw of bytes) {
    let chunk = raw as Buffer;
    if (first) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
        offset = 3;
      }
    }
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const part = chunk.subarray(start, nl);
      const whole = pending.length > 0 ? Buffer.concat([...pending, part]) : part;
      if (whole.length > maxLineBytes) {
        throw new DataSourceError(
          'line_too_long',
          `${label} line ${line + 1} (offset ${offset}) is longer than ${maxLineBytes} bytes (limit maxLineBytes)`,
          {
            line: line + 1,
            offset,
            limit: maxLineBytes,
          },
        );
      }
      line += 1;
      yield { text: whole.toString('utf8'), line, offset };
      offset += whole.length + 1;
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) {
        throw new DataSourceError(
          'line_too_long',
          `${label} line ${line + 1} (offset ${offset}) is longer than ${maxLineBytes} bytes (limit maxLineBytes); the file may lack line breaks`,
          {
            line: line + 1,
            offset,
            limit: maxLineBytes,
          },
        );
      }
    }
  }
  if (pendingBytes > 0) yield { text: Buffer.concat(pending).toString('utf8'), line: line + 1, offset };
}

export async function openJsonl(
  bytes: Readable,
  options: { label: string; maxLineBytes: number },
): Promise<OpenedSource> {
  const { label, maxLineBytes } = options;
  const iterator = lines(bytes, label, maxLineBytes)[Symbol.asyncIterator]();
  let row = 0;
  const parse = (entry: {
    text: string;
    line: number;
    offset: number;
  }): Record<string, unknown> | undefined => {
    const text = entry.text.trim();
    if (text === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new DataSourceError(
        'malformed_json',
        `${label} line ${entry.line} (offset ${entry.offset}) is not valid JSON: ${(error as Error).message}`,
        {
          line: entry.line,
          offset: entry.offset,
        },
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DataSourceError(
        'not_an_object',
        `${label} line ${entry.line} is not a JSON object; each line must be {"column": value, ...}`,
        {
          line: entry.line,
        },
      );
    }
    return value as Record<string, unknown>;
  };
  let firstValues: Record<string, unknown> | undefined;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    firstValues = parse(next.value);
    if (firstValues) break;
  }
  async function* records(): AsyncIterable<SourceRecord> {
    if (!firstValues) return;
    row += 1;
    yield { values: firstValues, row };
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const values = parse(next.value);
      if (!values) continue;
      row += 1;
      yield { values, row };
    }
  }
  return {
    format: 'jsonl',
    columns: firstValues ? Object.keys(firstValues) : [],
    records: records(),
    description: { format: 'jsonl' },
  };
}
