/**
 * Slices: the same metrics per segment of the test split (per class, per user-activity bucket,
 * per text length…), so a model that wins on average but fails a segment is visible.
 */
import type { MetricValue } from '../metrics/index.ts';
import { partitionMetrics } from '../metrics/index.ts';
import type { UndefinedMetrics } from './summary.ts';

export type Slice =
  | { readonly segment: string; readonly count: 0; readonly empty: true }
  | {
      readonly segment: string;
      readonly count: number;
      readonly empty: false;
      readonly metrics: Record<string, number>;
      readonly undefinedMetrics: UndefinedMetrics;
    };

export interface SliceOptions {
  /**
   * Segments to report even when no row falls in them (reported `{ empty: true }`, never NaN),
   * in this order; segments found in the data but not listed follow, sorted.
   */
  readonly segments?: readonly string[];
}

/**
 * Groups rows by `segmentOf` (null: the row belongs to no segment) and runs `metricsFn` on each
 * non-empty group. `metricsFn` may return MetricValues or an already partitioned summary.
 */
export function computeSlices<Row>(
  rows: readonly Row[],
  segmentOf: (row: Row, index: number) => string | null,
  metricsFn: (
    rows: Row[],
  ) => Record<string, MetricValue> | { metrics: Record<string, number>; undefinedMetrics: UndefinedMetrics },
  options: SliceOptions = {},
): Slice[] {
  const groups = new Map<string, Row[]>();
  for (const segment of options.segments ?? []) groups.set(segment, []);
  rows.forEach((row, i) => {
    const segment = segmentOf(row, i);
    if (segment === null) return;
    let group = groups.get(segment);
    if (!group) groups.set(segment, (group = []));
    group.push(row);
  });
  const declared = new Set(options.segments ?? []);
  const order = [...(options.segments ?? []), ...[...groups.keys()].filter((s) => !declared.has(s)).sort()];
  return order.map((segment): Slice => {
    const group = groups.get(segment)!;
    if (group.length === 0) return { segment, count: 0, empty: true };
    const result = metricsFn(group);
    const partitioned =
      'metrics' in result && 'undefinedMetrics' in result && typeof result.metrics === 'object'
        ? (result as { metrics: Record<string, number>; undefinedMetrics: UndefinedMetrics })
        : partitionMetrics(result as Record<string, MetricValue>);
    return {
      segment,
      count: group.length,
      empty: false,
      metrics: partitioned.metrics,
      undefinedMetrics: partitioned.undefinedMetrics,
    };
  });
}

/**
 * Names the bucket of `value` among increasing `edges`: "<10", "[10, 50)", "≥50". For activity
 * buckets (interactions per user) and text-length buckets.
 */
export function bucketOf(value: number, edges: readonly number[]): string {
  if (edges.length === 0) return 'all';
  if (value < edges[0]!) return `<${edges[0]}`;
  for (let i = 1; i < edges.length; i++) if (value < edges[i]!) return `[${edges[i - 1]}, ${edges[i]})`;
  return `≥${edges[edges.length - 1]}`;
}

/** Every bucket name of `edges`, in order: pass as `segments` so empty buckets are reported. */
export function bucketNames(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['all'];
  return [
    `<${edges[0]}`,
    ...edges.slice(1).map((e, i) => `[${edges[i]}, ${e})`),
    `≥${edges[edges.length - 1]}`,
  ];
}
