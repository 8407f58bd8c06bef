/**
 * The profile of a dataset version, for the dashboard and for drift: per column count,
 * missing, distinct, min/max/mean/std (Welford), quantiles and a 20-bin histogram from a
 * bounded reservoir sample (Vitter's Algorithm R, seeded), top values; the label distribution.
 * The reservoir (≤ 2,000 values per numeric column) stays in the profile so drift against a
 * later version can be computed from profiles alone.
 */
import { mulberry32, type Random } from '../prng.ts';

const DISTINCT_LIMIT = 10_000;
const TOP = 10;
const BINS = 20;

export interface NumericSummary {
  kind: 'numeric';
  count: number;
  missing: number;
  distinct: number;
  distinctCapped: boolean;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  quantiles: Record<string, number>;
  histogram: Array<{ from: number; to: number; count: number }>;
  sample: number[];
}

export interface CategoricalSummary {
  kind: 'categorical';
  count: number;
  missing: number;
  distinct: number;
  distinctCapped: boolean;
  top: Array<{ value: string; count: number }>;
  /** Counts of every value seen, up to the distinct limit (drift uses them). */
  counts: Record<string, number>;
}

export type ColumnProfile = NumericSummary | CategoricalSummary;

export interface DatasetProfile {
  rows: number;
  columns: Record<string, ColumnProfile>;
  labels?: Record<string, number>;
}

class NumericColumn {
  count = 0;
  missing = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  distinct = new Set<number>();
  sample: number[] = [];
  constructor(private readonly random: Random, private readonly sampleSize: number) {}
  add(value: number | null): void {
    if (value === null) return void (this.missing += 1);
    this.count += 1;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.distinct.size < DISTINCT_LIMIT) this.distinct.add(value);
    if (this.sample.length < this.sampleSize) this.sample.push(value);
    else {
      const j = Math.floor(this.random() * this.count);
      if (j < this.sampleSize) this.sample[j] = value;
    }
  }
  summary(): NumericSummary {
    const sorted = [...this.sample].sort((a, b) => a - b);
    const q = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))]!);
    const histogram: NumericSummary['histogram'] = [];
    if (this.count > 0) {
      const width = (this.max - this.min) / BINS || 1;
      for (let b = 0; b < BINS; b++) histogram.push({ from: this.min + b * width, to: this.min + (b + 1) * width, count: 0 });
      for (const v of sorted) histogram[Math.min(BINS - 1, Math.floor((v - this.min) / width))]!.count += 1;
    }
    return {
      kind: 'numeric',
      count: this.count,
      missing: this.missing,
      distinct: this.distinct.size,
      distinctCapped: this.distinct.size >= DISTINCT_LIMIT,
      min: this.count ? this.min : null,
      max: this.count ? this.max : null,
      mean: this.count ? this.mean : null,
      std: this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : null,
      quantiles: { p05: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95) },
      histogram,
      sample: sorted,
    };
  }
}

class CategoricalColumn {
  count = 0;
  missing = 0;
  counts = new Map<string, number>();
  capped = false;
  add(value: string | null): void {
    if (value === null) return void (this.missing += 1);
    this.count += 1;
    if (this.counts.has(value)) this.counts.set(value, this.counts.get(value)! + 1);
    else if (this.counts.size < DISTINCT_LIMIT) this.counts.set(value, 1);
    else this.capped = true;
  }
  summary(): CategoricalSummary {
    const top = [...this.counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP).map(([value, count]) => ({ value, count }));
    return { kind: 'categorical', count: this.count, missing: this.missing, distinct: this.counts.size, distinctCapped: this.capped, top, counts: Object.fromEntries(this.counts) };
  }
}

/** Accumulates a profile row by row in bounded memory. */
export class Profiler {
  private rows = 0;
  private readonly numeric = new Map<string, NumericColumn>();
  private readonly categorical = new Map<string, CategoricalColumn>();
  private readonly labels = new Map<string, number>();
  private readonly random: Random;
  constructor(private readonly sampleSize = 2_000, seed = 7) {
    this.random = mulberry32(seed);
  }
  addNumber(column: string, value: number | null): void {
    if (!this.numeric.has(column)) this.numeric.set(column, new NumericColumn(this.random, this.sampleSize));
    this.numeric.get(column)!.add(value);
  }
  addCategory(column: string, value: string | null): void {
    if (!this.categorical.has(column)) this.categorical.set(column, new CategoricalColumn());
    this.categorical.get(column)!.add(value);
  }
  addLabel(label: string): void {
    this.labels.set(label, (this.labels.get(label) ?? 0) + 1);
  }
  endRow(): void {
    this.rows += 1;
  }
  result(): DatasetProfile {
    const columns: Record<string, ColumnProfile> = {};
    for (const [name, column] of this.numeric) columns[name] = column.summary();
    for (const [name, column] of this.categorical) columns[name] = column.summary();
    return { rows: this.rows, columns, ...(this.labels.size ? { labels: Object.fromEntries([...this.labels].sort()) } : {}) };
  }
}
