/**
 * The compare page's tables: the hyperparameters that differ between model versions (equal
 * ones are noise there), and each version's metrics against the first one. Pure.
 */
import type { EvaluationComparison } from '@lathe/contract';

export interface HyperparameterRow {
  name: string;
  /** One per version; undefined where a version does not set it. */
  values: unknown[];
}

/** A stable text for equality: key order of nested objects does not matter. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Only the hyperparameters whose values are not the same in every version, by name. */
export function hyperparameterDiff(versions: ReadonlyArray<Record<string, unknown>>): HyperparameterRow[] {
  const names = [...new Set(versions.flatMap((v) => Object.keys(v)))].sort();
  return names
    .map((name) => ({ name, values: versions.map((v) => v[name]) }))
    .filter((row) => new Set(row.values.map(canonical)).size > 1);
}

export function formatHyperparameter(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface MetricComparisonRow {
  metric: string;
  /** The first version's value. */
  base: number | null;
  /** Every other version against the first: value, b − a, relative change. */
  others: Array<{ value: number | null; difference: number | null; relative: number | null }>;
}

/**
 * Rows of every metric any comparison has, from the API's pairwise comparisons of the first
 * evaluation (a) with each other one (b), in the first comparison's metric order.
 */
export function metricComparisonRows(comparisons: readonly EvaluationComparison[]): MetricComparisonRow[] {
  const names: string[] = [];
  for (const c of comparisons) for (const m of c.metrics) if (!names.includes(m.metric)) names.push(m.metric);
  return names.map((metric) => {
    const found = comparisons.map((c) => c.metrics.find((m) => m.metric === metric));
    const base = found.find((m) => m !== undefined)?.a ?? null;
    return {
      metric,
      base,
      others: found.map((m) => ({
        value: m?.b ?? null,
        difference: m?.difference ?? null,
        relative: m?.relative ?? null,
      })),
    };
  });
}
