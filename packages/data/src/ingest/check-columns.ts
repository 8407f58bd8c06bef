/**
 * Checks that run across rows or against the header, beside the per-row mapping of to-row.ts:
 * the columns a use case needs exist (`missing_column`, before any row is read), explicit
 * column rules (`required`, `type`, `min`/`max`) hold, and columns declared `unique` have no
 * repeated value (`duplicate_value`, naming the row where it first appeared).
 */
import { DataSourceError, type RowIssue, showValue } from '../data-errors.ts';
import type { ColumnMap, ColumnTypes, ExplicitSchema } from '@lathe/contract';
import type { UseCase } from '@lathe/contract';
import type { SourceRecord } from '../sources/source-record.ts';

/** Source columns a use case cannot do without, after the column map. */
export function requiredColumns(useCase: UseCase, map: ColumnMap): string[] {
  switch (useCase) {
    case 'nlp':
      return [map.text ?? 'text', map.label ?? 'label'];
    case 'image':
    case 'generative':
      return [map.label ?? 'label', map.pixels ?? 'pixels'];
    case 'recommendation':
      return [map.user ?? 'user', map.item ?? 'item'];
    case 'tabular':
      return [map.target ?? 'target', ...(map.features ?? [])];
  }
}

export function checkHeader(
  columns: string[],
  useCase: UseCase,
  map: ColumnMap,
  schema: ExplicitSchema | undefined,
  label: string,
  columnTypes: ColumnTypes = {},
): void {
  if (columns.length === 0) return; // a source without a header (JSON Lines keys vary per line)
  const have = new Set(columns);
  const listed = columns.map((c) => `\`${c}\``).join(', ');
  const needed = [
    ...requiredColumns(useCase, map),
    ...(schema?.columns ?? []).filter((c) => c.required || c.unique).map((c) => c.name),
  ];
  const missing = [...new Set(needed)].filter((c) => !have.has(c));
  if (missing.length > 0) {
    const advice =
      useCase === 'tabular' && missing.includes(map.target ?? 'target')
        ? 'name the label column as the target (`--target <column>` in the CLI, `target=<column>` on the upload route, `columnMap.target` in an ingest spec)'
        : 'rename the column or map it with columnMap';
    throw new DataSourceError(
      'missing_column',
      `${label} has no column ${missing.map((c) => `\`${c}\``).join(', ')} (a ${useCase} dataset needs it; the columns are ${listed}); ${advice}`,
      { missing, columns, line: 1 },
    );
  }
  const undeclarable = Object.keys(columnTypes).filter((c) => !have.has(c));
  if (undeclarable.length > 0) {
    throw new DataSourceError(
      'unknown_column',
      `${label} has no column ${undeclarable.map((c) => `\`${c}\` (declared ${columnTypes[c]})`).join(', ')}; the columns are ${listed}`,
      { unknown: undeclarable, columns, line: 1 },
    );
  }
}

export class ColumnRuleChecker {
  private readonly seen = new Map<string, Map<string, number>>();
  constructor(private readonly schema: ExplicitSchema | undefined) {
    for (const rule of schema?.columns ?? []) if (rule.unique) this.seen.set(rule.name, new Map());
  }

  get active(): boolean {
    return (this.schema?.columns.length ?? 0) > 0;
  }

  check(record: SourceRecord): RowIssue[] {
    const issues: RowIssue[] = [];
    for (const rule of this.schema?.columns ?? []) {
      const value = record.values[rule.name];
      const absent =
        value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
      const at = (code: string, text: string) =>
        issues.push({ code, row: record.row, column: rule.name, value: showValue(value), rule: text });
      if (absent) {
        if (rule.required || rule.unique) at('missing_value', 'is required');
        continue;
      }
      if (rule.type === 'number' || rule.min !== undefined || rule.max !== undefined) {
        const n = typeof value === 'number' ? value : Number(String(value).trim());
        if (!Number.isFinite(n))
          at(
            /^[+-]?(nan|inf(inity)?)$/i.test(String(value).trim()) ? 'non_finite' : 'non_numeric',
            'must be a finite number',
          );
        else if (rule.min !== undefined && n < rule.min) at('out_of_range', `must be ≥ ${rule.min}`);
        else if (rule.max !== undefined && n > rule.max) at('out_of_range', `must be ≤ ${rule.max}`);
      }
      const seen = this.seen.get(rule.name);
      if (seen) {
        const key = String(value);
        const first = seen.get(key);
        if (first !== undefined) at('duplicate_value', `must be unique but already appeared at row ${first}`);
        else seen.set(key, record.row);
      }
    }
    return issues;
  }
}
