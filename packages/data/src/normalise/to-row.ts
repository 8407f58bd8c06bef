/**
 * Maps a source record to the use case's row (rows.ts) and checks every value: required
 * fields present, numbers finite, labels allowed, images of the declared size. A record either
 * becomes a row or yields the issues that name its column, value and rule.
 */
import { type RowIssue, showValue } from '../data-errors.ts';
import type { ColumnMap, ColumnType, ColumnTypes, ExplicitSchema } from '@lathe/contract';
import type { AnyRow, ImageShape, UseCase } from '@lathe/contract';
import type { SourceRecord } from '../sources/source-record.ts';

export type Normalised = { row: AnyRow; issues?: undefined } | { row?: undefined; issues: RowIssue[] };

export interface NormaliseOptions {
  useCase: UseCase;
  columnMap: ColumnMap;
  /** Tabular: declared column types (ingest-spec.ts). */
  columnTypes?: ColumnTypes;
  schema?: ExplicitSchema;
  image?: ImageShape;
}

const issue = (
  record: SourceRecord,
  column: string,
  value: unknown,
  code: string,
  rule: string,
): RowIssue => ({
  code,
  row: record.row,
  column,
  value: showValue(value),
  rule,
});

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
}

const NON_FINITE = /^(nan|[+-]?inf(inity)?)$/i;

export function normaliseRecord(record: SourceRecord, options: NormaliseOptions): Normalised {
  // Tabular first and without per-call closures: it is the hot path of large CSVs.
  if (options.useCase === 'tabular') return normaliseTabular(record, options.columnMap, options.columnTypes);
  const issues: RowIssue[] = [];
  const map = options.columnMap;
  const get = (field: string, fallback: string) =>
    record.values[(map as Record<string, string | undefined>)[field] ?? fallback];
  const label = (column: string) => {
    const value = get('label', column);
    if (!present(value))
      return void issues.push(issue(record, map.label ?? column, value, 'missing_value', 'is required'));
    if (typeof value === 'number' && !Number.isFinite(value))
      return void issues.push(
        issue(record, map.label ?? column, value, 'non_finite_label', 'must be finite'),
      );
    const text = String(value).trim();
    if (/^(nan|[+-]?inf(inity)?)$/i.test(text))
      return void issues.push(
        issue(
          record,
          map.label ?? column,
          value,
          'non_finite_label',
          'must be a real label, not NaN or Infinity',
        ),
      );
    if (options.schema?.labels && !options.schema.labels.includes(text)) {
      return void issues.push(
        issue(
          record,
          map.label ?? column,
          value,
          'unknown_label',
          `is not one of the declared labels (${options.schema.labels.slice(0, 10).join(', ')})`,
        ),
      );
    }
    return text;
  };

  switch (options.useCase) {
    case 'image':
    case 'generative': {
      const shape = options.image ?? options.schema?.image;
      const l = label('label');
      const raw = get('pixels', 'pixels');
      let pixels: Uint8Array | undefined;
      if (raw instanceof Uint8Array) pixels = raw;
      else if (typeof raw === 'string' || Array.isArray(raw)) {
        const values = (Array.isArray(raw) ? raw : raw.trim().split(/[\s,;]+/)).map(toNumber);
        if (values.some((v) => !Number.isFinite(v) || v < 0 || v > 255))
          issues.push(issue(record, 'pixels', raw, 'invalid_pixels', 'must be numbers in 0..255'));
        else pixels = Uint8Array.from(values.map((v) => Math.round(v)));
      } else issues.push(issue(record, 'pixels', raw, 'missing_value', 'is required'));
      if (pixels && shape && pixels.length !== shape.width * shape.height * shape.channels) {
        issues.push(
          issue(
            record,
            'pixels',
            pixels,
            'wrong_image_size',
            `must have ${shape.width}×${shape.height}×${shape.channels} = ${shape.width * shape.height * shape.channels} values`,
          ),
        );
      }
      return issues.length || l === undefined || !pixels ? { issues } : { row: { label: l, pixels } };
    }
    case 'nlp': {
      const text = get('text', 'text');
      if (!present(text))
        issues.push(issue(record, map.text ?? 'text', text, 'missing_value', 'is required'));
      const l = label('label');
      return issues.length || l === undefined ? { issues } : { row: { text: String(text), label: l } };
    }
    case 'recommendation': {
      const user = get('user', 'user');
      const item = get('item', 'item');
      if (!present(user))
        issues.push(issue(record, map.user ?? 'user', user, 'missing_value', 'is required'));
      if (!present(item))
        issues.push(issue(record, map.item ?? 'item', item, 'missing_value', 'is required'));
      const ratingRaw = get('rating', 'rating');
      const rating = present(ratingRaw) ? toNumber(ratingRaw) : null;
      if (rating !== null && !Number.isFinite(rating))
        issues.push(
          issue(record, map.rating ?? 'rating', ratingRaw, 'non_numeric', 'must be a finite number'),
        );
      const timeRaw = get('timestamp', 'timestamp');
      let timestamp: number | null = null;
      if (present(timeRaw)) {
        const n = toNumber(timeRaw);
        timestamp = Number.isFinite(n) ? (n < 1e11 ? n * 1000 : n) : Date.parse(String(timeRaw));
        if (!Number.isFinite(timestamp))
          issues.push(
            issue(
              record,
              map.timestamp ?? 'timestamp',
              timeRaw,
              'invalid_timestamp',
              'must be a date or epoch seconds/ms',
            ),
          );
      }
      return issues.length
        ? { issues }
        : { row: { user: String(user), item: String(item), rating, timestamp } };
    }
  }
}

/**
 * Features as numbers when they parse as finite numbers, else trimmed strings; empty → null.
 * A declared type overrides that guess: categorical values stay strings (the codes 1–12 are
 * not quantities), numeric ones must parse, timestamps become epoch milliseconds, id columns
 * are kept in `keys` (never a model input) and ignored columns are dropped.
 */
function normaliseTabular(record: SourceRecord, map: ColumnMap, types: ColumnTypes | undefined): Normalised {
  const issues: RowIssue[] = [];
  const targetColumn = map.target ?? 'target';
  const target = record.values[targetColumn];
  if (!present(target)) issues.push(issue(record, targetColumn, target, 'missing_value', 'is required'));
  const names = map.features ?? featureNames(record.values, targetColumn, map.exclude, types);
  const features: Record<string, number | string | null> = {};
  let keys: Record<string, string> | undefined;
  if (types !== undefined) {
    for (const [name, type] of Object.entries(types)) {
      if (type !== 'id' || name === targetColumn) continue;
      const value = record.values[name];
      (keys ??= {})[name] = present(value) ? String(value).trim() : '';
    }
  }
  for (const name of names) {
    const value = record.values[name];
    const declared = types?.[name];
    if (declared !== undefined) {
      const typed = declaredValue(value, declared);
      if (typed === INVALID)
        issues.push(
          declared === 'numeric'
            ? issue(record, name, value, 'non_numeric', 'is declared numeric: must be a finite number')
            : issue(
                record,
                name,
                value,
                'invalid_timestamp',
                'is declared a timestamp: must be a date or epoch seconds/ms',
              ),
        );
      else features[name] = typed;
      continue;
    }
    if (value === undefined || value === null) features[name] = null;
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) issues.push(issue(record, name, value, 'non_finite', 'must be finite'));
      features[name] = value;
    } else {
      const text = typeof value === 'string' ? value.trim() : String(value).trim();
      if (text === '') {
        features[name] = null;
        continue;
      }
      const n = Number(text);
      if (Number.isFinite(n)) features[name] = n;
      else {
        if (NON_FINITE.test(text)) issues.push(issue(record, name, value, 'non_finite', 'must be finite'));
        features[name] = text;
      }
    }
  }
  if (issues.length) return { issues };
  return { row: { features, target: String(target).trim(), ...(keys ? { keys } : {}) } };
}

const INVALID = Symbol('invalid');

/** A value of a column with a declared type (never `id` or `ignore`: those are not features). */
function declaredValue(value: unknown, type: ColumnType): number | string | null | typeof INVALID {
  if (!present(value)) return null;
  const text = typeof value === 'string' ? value.trim() : String(value);
  switch (type) {
    case 'numeric': {
      const n = toNumber(value);
      return Number.isFinite(n) ? n : INVALID;
    }
    case 'timestamp': {
      const n = toNumber(value);
      const ms = Number.isFinite(n) ? (n < 1e11 ? n * 1000 : n) : Date.parse(text);
      return Number.isFinite(ms) ? ms : INVALID;
    }
    default:
      return text;
  }
}

/** Every column but the target and the excluded, in source order (cached per key layout). */
let cachedKeys: string[] = [];
let cachedNames: string[] = [];
let cachedFor = '';
function featureNames(
  values: Record<string, unknown>,
  targetColumn: string,
  exclude: string[] | undefined,
  types: ColumnTypes | undefined,
): string[] {
  const keys = Object.keys(values);
  const notFeatures = Object.entries(types ?? {})
    .filter(([, type]) => type === 'id' || type === 'ignore')
    .map(([name]) => name);
  const signature = `${targetColumn}\u0000${exclude?.join('\u0000') ?? ''}\u0001${notFeatures.join('\u0000')}`;
  if (
    signature === cachedFor &&
    keys.length === cachedKeys.length &&
    keys.every((k, i) => k === cachedKeys[i])
  )
    return cachedNames;
  const excluded = new Set([targetColumn, ...(exclude ?? []), ...notFeatures]);
  cachedKeys = keys;
  cachedNames = keys.filter((k) => !excluded.has(k));
  cachedFor = signature;
  return cachedNames;
}
