/**
 * CSV/TSV (csv-parse, streaming) and JSON Lines from a file, a URL or a stream, gunzipped when
 * compressed. Records carry their 1-based row number; a ragged CSV row or a bad JSON line
 * fails with its own code and the line number.
 */
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { DataSourceError } from '../data-errors.ts';
import type { SourceSpec, TextFormat } from '../ingest-spec.ts';
import { maybeGunzip, openFile, openUrl } from './byte-source.ts';
import type { OpenedSource, SourceRecord } from './source-record.ts';

type TextSource = Extract<SourceSpec, { kind: 'file' | 'url' | 'stream' }>;

function formatOf(source: TextSource): TextFormat {
  if (source.format) return source.format;
  const name =
    source.kind === 'file' ? source.path : source.kind === 'url' ? new URL(source.url).pathname : '';
  const bare = name.replace(/\.gz$/, '');
  if (bare.endsWith('.jsonl') || bare.endsWith('.ndjson')) return 'jsonl';
  if (bare.endsWith('.tsv')) return 'tsv';
  return 'csv';
}

export async function openTextSource(source: TextSource, signal?: AbortSignal): Promise<OpenedSource> {
  const format = formatOf(source);
  const label = source.kind === 'file' ? source.path : source.kind === 'url' ? source.url : 'the upload';
  const raw =
    source.kind === 'file'
      ? await openFile(source.path)
      : source.kind === 'url'
        ? await openUrl(source.url, signal)
        : source.stream;
  const bytes = maybeGunzip(raw, label);
  const description =
    source.kind === 'file'
      ? { path: source.path, format }
      : source.kind === 'url'
        ? { url: source.url, format }
        : { upload: true, format };
  if (format === 'jsonl') return { format, columns: [], records: jsonLines(bytes, label), description };
  const delimiter = format === 'tsv' ? '\t' : (source.delimiter ?? ',');
  return { format, columns: [], records: csvRecords(bytes, delimiter, label), description };
}

async function* csvRecords(input: Readable, delimiter: string, label: string): AsyncGenerator<SourceRecord> {
  const parser = parse({
    columns: (header: string[]) => header.map((h) => h.trim()),
    delimiter,
    bom: true,
    skip_empty_lines: true,
    relax_quotes: false,
    trim: true,
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let row = 0;
  try {
    for await (const values of parser as AsyncIterable<Record<string, string>>) yield { row: ++row, values };
  } catch (error) {
    const e = error as { code?: string; message: string; lines?: number };
    if (
      e.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' ||
      e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ||
      e.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH'
    ) {
      throw new DataSourceError(
        'ragged_row',
        `${label}: line ${e.lines ?? '?'} has a different number of fields than the header (${e.message})`,
        { line: e.lines },
      );
    }
    if (error instanceof DataSourceError) throw error;
    throw new DataSourceError('malformed_csv', `${label}: ${e.message}`, { line: e.lines });
  } finally {
    // Stop reading on an early exit (an invalid row, a cancel) instead of writing into a closed parser.
    input.unpipe(parser);
    input.destroy();
  }
  if (row === 0)
    throw new DataSourceError('empty_source', `${label} has no data rows (empty, or a header only)`);
}

async function* jsonLines(input: Readable, label: string): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let row = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      let values: unknown;
      try {
        values = JSON.parse(text);
      } catch (error) {
        throw new DataSourceError(
          'malformed_json',
          `${label}: line ${line} is not valid JSON (${(error as Error).message})`,
          { line },
        );
      }
      if (values === null || typeof values !== 'object' || Array.isArray(values)) {
        throw new DataSourceError('malformed_json', `${label}: line ${line} is not a JSON object`, { line });
      }
      yield { row: ++row, values: values as Record<string, unknown> };
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (row === 0) throw new DataSourceError('empty_source', `${label} has no data rows`);
}
