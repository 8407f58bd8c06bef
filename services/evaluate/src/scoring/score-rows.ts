/**
 * Turns an input record into the row a model predicts on, and a prediction into an output line.
 * Pure: the scoring handler does the I/O.
 *
 * Output columns: the key columns, then `label` (the model's label, with its decision
 * threshold) and one `probability_<label>` per class; binary models also get `score`, the
 * probability of the positive class (labels[1]), which is what a lift table ranks on.
 */
import type { ModelSignature, Prediction } from '@lathe/ml';

export type ScoringFormat = 'csv' | 'jsonl';

/** An uploaded record as a tabular row: keys beside, numeric inputs parsed, empty cells null. */
export function tabularRowOf(
  values: Record<string, unknown>,
  signature: ModelSignature,
  keyColumns: readonly string[],
): { features: Record<string, string | number | null>; keys: Record<string, string> } {
  const numeric = new Set(signature.inputs.filter((i) => i.type.startsWith('number')).map((i) => i.name));
  const features: Record<string, string | number | null> = {};
  for (const input of signature.inputs) {
    const raw = values[input.name];
    if (raw === undefined || raw === null || raw === '') features[input.name] = null;
    else if (numeric.has(input.name)) features[input.name] = typeof raw === 'number' ? raw : Number(raw);
    else features[input.name] = String(raw);
  }
  const keys = Object.fromEntries(
    keyColumns.map((k) => [k, values[k] === undefined ? '' : String(values[k])]),
  );
  return { features, keys };
}

export function outputColumns(signature: ModelSignature, keyColumns: readonly string[]): string[] {
  const labels = signature.labels ?? [];
  if (labels.length === 0) return [...keyColumns, 'score'];
  return [
    ...keyColumns,
    ...(labels.length === 2 ? ['score'] : []),
    'label',
    ...labels.map((l) => `probability_${l}`),
  ];
}

export function outputValues(
  prediction: Prediction,
  signature: ModelSignature,
  keys: Record<string, string>,
  keyColumns: readonly string[],
): (string | number | null)[] {
  const labels = signature.labels ?? [];
  const keyValues = keyColumns.map((k) => keys[k] ?? '');
  if (labels.length === 0) return [...keyValues, prediction.score ?? null];
  const p = prediction.probabilities ?? {};
  return [
    ...keyValues,
    ...(labels.length === 2 ? [p[labels[1]!] ?? null] : []),
    prediction.label ?? null,
    ...labels.map((l) => p[l] ?? null),
  ];
}

/** One CSV field (RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled). */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatLine(
  format: ScoringFormat,
  columns: readonly string[],
  values: readonly (string | number | null)[],
): string {
  if (format === 'csv') return values.map(csvField).join(',') + '\n';
  return JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, values[i] ?? null]))) + '\n';
}

export function headerLine(format: ScoringFormat, columns: readonly string[]): string {
  return format === 'csv' ? columns.map(csvField).join(',') + '\n' : '';
}
