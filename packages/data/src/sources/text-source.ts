/**
 * CSV/TSV and JSON Lines from a file, a URL or a stream: gunzipped when the bytes are gzip,
 * checked to be UTF-8 (offset of the first bad byte otherwise), then parsed by csv-parse or
 * the JSON Lines reader. Header problems (wrong delimiter, duplicate names) fail before the
 * first row; every line is bounded by `maxLineBytes`.
 */
import { pipeline, type Readable } from 'node:stream';
import { DataSourceError } from '../data-errors.ts';
import type { SourceSpec, TextFormat } from '@lathe/contract';
import { maybeGunzip, openFile, openUrl } from './byte-source.ts';
import { openCsv } from './csv-source.ts';
import { openJsonl } from './jsonl-source.ts';
import type { OpenedSource } from './source-record.ts';
import { utf8Check } from './utf8-check.ts';

type TextSource = Extract<SourceSpec, { kind: 'file' | 'url' | 'stream' }>;

export function formatFromName(name: string): TextFormat | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.jsonl') || base.endsWith('.ndjson')) return 'jsonl';
  if (base.endsWith('.tsv') || base.endsWith('.tab')) return 'tsv';
  if (base.endsWith('.csv')) return 'csv';
  return undefined;
}

function formatOf(source: TextSource): TextFormat {
  if (source.format) return source.format;
  const name =
    source.kind === 'file' ? source.path : source.kind === 'url' ? new URL(source.url).pathname : '';
  return formatFromName(name) ?? 'csv';
}

/** Bytes → gunzip (when gzip) → UTF-8 check, with errors of any stage reaching the reader. */
export function decodedText(raw: Readable, label: string): Readable {
  const decoded = maybeGunzip(raw, label);
  raw.on('error', (error) => decoded.destroy(error));
  return pipeline(decoded, utf8Check(label), () => undefined);
}

export async function openTextSource(
  source: TextSource,
  options: { signal?: AbortSignal; maxLineBytes?: number } = {},
): Promise<OpenedSource> {
  const format = formatOf(source);
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const label =
    source.kind === 'file' ? source.path : source.kind === 'url' ? source.url : (source.name ?? 'the upload');
  const raw =
    source.kind === 'file'
      ? await openFile(source.path)
      : source.kind === 'url'
        ? await openUrl(source.url, options.signal)
        : source.stream;
  const text = decodedText(raw, label);
  const description =
    source.kind === 'file'
      ? { path: source.path, format }
      : source.kind === 'url'
        ? { url: source.url, format }
        : { upload: true, format, ...(source.name ? { fileName: source.name } : {}) };
  const opened =
    format === 'jsonl'
      ? await openJsonl(text, { label, maxLineBytes })
      : await openCsv(text, {
          label,
          delimiter: format === 'tsv' ? '\t' : (source.delimiter ?? ','),
          maxLineBytes,
          format,
        });
  if (format !== 'jsonl' && opened.columns.length === 0)
    throw new DataSourceError('empty_source', `${label} has no header row`);
  return { ...opened, description };
}
