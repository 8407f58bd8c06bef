/**
 * CSV/TSV records via csv-parse (RFC 4180 quoting, UTF-8 BOM stripped). The header row names
 * the columns; every record must have as many fields as the header (`ragged_row`).
 */
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { DataSourceError } from '../data-errors.ts';
import type { OpenedSource, SourceRecord } from './source-record.ts';

const OTHER_DELIMITERS = [';', '\t', '|', ','];

function translateCsvError(error: unknown, label: string, maxLineBytes: number): unknown {
  if (!(error instanceof CsvError)) return error;
  const e = error as CsvError & { lines?: number; record?: unknown[]; records?: number };
  const line = e.lines;
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return new DataSourceError(
        'ragged_row',
        `${label} line ${line}: ${e.record?.length ?? '?'} fields where the header has ${(e as { columns?: unknown[] }).columns?.length ?? 'a different number of'}; every row needs one value per column (quote fields that contain the delimiter)`,
        { line, row: line !== undefined ? line - 1 : undefined, fields: e.record?.length },
      );
    case 'CSV_MAX_RECORD_SIZE':
      return new DataSourceError(
        'line_too_long',
        `${label} line ${line}: a record is longer than ${maxLineBytes} characters (limit maxLineBytes); the file may lack line breaks or have an unclosed quote`,
        { line, limit: maxLineBytes },
      );
    case 'CSV_QUOTE_NOT_CLOSED':
      return new DataSourceError('unclosed_quote', `${label} line ${line}: a quoted field is never closed`, {
        line,
      });
    default:
      return new DataSourceError('malformed_csv', `${label} line ${line}: ${e.message}`, {
        line,
        csvCode: e.code,
      });
  }
}

export async function openCsv(
  bytes: Readable,
  options: { label: string; delimiter: string; maxLineBytes: number; format: 'csv' | 'tsv' },
): Promise<OpenedSource> {
  const { label, delimiter, maxLineBytes } = options;
  const parser = bytes.pipe(
    parse({
      delimiter,
      bom: true,
      trim: true,
      max_record_size: maxLineBytes,
      skip_empty_lines: true,
      relax_column_count: false,
    }),
  );
  bytes.on('error', (error) => parser.destroy(error));
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  let first: IteratorResult<string[]>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw translateCsvError(error, label, maxLineBytes);
  }
  if (first.done)
    throw new DataSourceError('empty_source', `${label} has no header row (it holds only blank lines)`, {
      line: 1,
    });
  const columns = first.value.map((c) => c.trim());
  if (columns.length === 1) {
    const other = OTHER_DELIMITERS.find((d) => d !== delimiter && (columns[0] ?? '').includes(d));
    if (other !== undefined) {
      throw new DataSourceError(
        'wrong_delimiter',
        `${label} line 1: the header "${columns[0]}" is one column when split on ${JSON.stringify(delimiter)} but contains ${JSON.stringify(other)}; pass delimiter ${JSON.stringify(other)} (or format "tsv" for tabs)`,
        { line: 1, delimiter, detected: other },
      );
    }
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === '' || seen.has(column)) {
      throw new DataSourceError(
        column === '' ? 'empty_column_name' : 'duplicate_column',
        `${label} line 1: ${column === '' ? 'a column has no name' : `column "${column}" appears twice`} in the header`,
        { line: 1, column },
      );
    }
    seen.add(column);
  }
  async function* records(): AsyncIterable<SourceRecord> {
    let row = 0;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        row += 1;
        const fields = next.value;
        const values: Record<string, unknown> = {};
        for (let i = 0; i < columns.length; i += 1) values[columns[i] as string] = fields[i];
        yield { values, row };
      }
    } catch (error) {
      throw translateCsvError(error, label, maxLineBytes);
    }
  }
  return {
    format: options.format,
    columns,
    records: records(),
    description: { format: options.format, delimiter },
  };
}
