/**
 * Checks that a byte stream is UTF-8 text, passing it through unchanged. Fails with
 * `empty_source` (no bytes), `unsupported_encoding` (a UTF-16/32 byte-order mark) or
 * `invalid_encoding` with the byte offset of the first byte that is not UTF-8.
 * A UTF-8 BOM is allowed (parsers strip it).
 */
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { DataSourceError } from '../data-errors.ts';

/** Bytes at the end of `buf` that begin a multi-byte sequence not yet complete. */
function incompleteTail(buf: Buffer): number {
  for (let k = 1; k <= Math.min(3, buf.length); k += 1) {
    const byte = buf[buf.length - k] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/** Index of the first byte that cannot start or continue valid UTF-8 (RFC 3629 table). */
export function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k += 1) {
      const c = buf[i + k];
      if (c === undefined) return i; // truncated at end of input
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

export function utf8Check(label: string): Transform {
  let offset = 0;
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (first && chunk.length > 0) {
        first = false;
        const b0 = chunk[0];
        const b1 = chunk[1];
        if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
          callback(
            new DataSourceError(
              'unsupported_encoding',
              `${label} starts with a UTF-16 byte-order mark (offset 0); Lathe reads UTF-8 only: re-save the file as UTF-8`,
              { offset: 0 },
            ),
          );
          return;
        }
      }
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const tail = incompleteTail(data);
      const body = tail > 0 ? data.subarray(0, data.length - tail) : data;
      if (!isUtf8(body)) {
        const at = firstInvalidUtf8(body);
        const position = offset - carry.length + Math.max(at, 0);
        callback(
          new DataSourceError(
            'invalid_encoding',
            `${label} is not valid UTF-8: byte 0x${(body[at] ?? 0).toString(16).padStart(2, '0')} at offset ${position}; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8)`,
            { offset: position },
          ),
        );
        return;
      }
      offset += chunk.length;
      carry = tail > 0 ? Buffer.from(data.subarray(data.length - tail)) : Buffer.alloc(0);
      callback(null, body.length > 0 ? body : undefined);
    },
    flush(callback: TransformCallback) {
      if (offset === 0) {
        callback(
          new DataSourceError('empty_source', `${label} is empty (0 bytes): nothing to ingest`, {
            offset: 0,
          }),
        );
        return;
      }
      if (carry.length > 0) {
        callback(
          new DataSourceError(
            'invalid_encoding',
            `${label} is not valid UTF-8: it ends inside a multi-byte character at offset ${offset - carry.length}`,
            { offset: offset - carry.length },
          ),
        );
        return;
      }
      callback();
    },
  });
}
