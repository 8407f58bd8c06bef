/**
 * The profile of a dataset version, for the dashboard and for drift: per column count,
 * missing, distinct (exact up to 10,000 values, then a k-minimum-values estimate), min/max/mean/std
 * (Welford), quantiles and a 20-bin histogram from a bounded reservoir sample (Vitter's
 * Algorithm R, seeded), top values; the label distribution; for images, pixel mean/std.
 * The reservoir (≤ 2,000 values per numeric column) stays in the profile so drift against a
 * later version can be computed from profiles alone.
 */
import { mulberry32, type Random } from '../prng.ts';
import { DistinctSketch, hashNumber, hashString } from './distinct-estimate.ts';
import type { ColumnTypeProposal } from './infer-column-types.ts';
import type { KAnonymityReport } from '../privacy/k-anonymity.ts';

const DISTINCT_LIMIT = 10_000;
const TOP = 10;
const BINS = 20;

export interface NumericSummary {
  kind: 'numeric';
  count: number;
  missing: number;
  /** Exact when `distinctCapped` is false, else a k-minimum-values estimate (≈ 3% error). */
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
  /** Exact when `distinctCapped` is false, else a k-minimum-values estimate (≈ 3% error). */
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
  image?: PixelSummary;
  /** Tabular: each column's type as used, the proposed type and why (infer-column-types.ts). */
  columnTypes?: Record<string, ColumnTypeProposal>;
  /** Over the declared quasi-identifiers, on the values as released. */
  kAnonymity?: KAnonymityReport;
}

/** Over every pixel value (0–255) of every image, overall and per channel (population std). */
export interface PixelSummary {
  pixels: number;
  mean: number;
  std: number;
  channels: Array<{ mean: number; std: number }>;
}

class PixelColumn {
  // Sums of integers ≤ 255 and their squares stay exact in a double up to ~10^11 images of 784
  // pixels (2^53 / 255²), so the plain sum/sum-of-squares formula loses nothing here.
  private readonly sum: Float64Array;
  private readonly squares: Float64Array;
  private count = 0;
  constructor(private readonly channels: number) {
    this.sum = new Float64Array(channels);
    this.squares = new Float64Array(channels);
  }
  add(pixels: Uint8Array): void {
    const c = this.channels;
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      let q = 0;
      for (let i = ch; i < pixels.length; i += c) {
        const v = pixels[i]!;
        s += v;
        q += v * v;
      }
      this.sum[ch]! += s;
      this.squares[ch]! += q;
    }
    this.count += pixels.length / c;
  }
  summary(): PixelSummary {
    const n = Math.max(1, this.count);
    const stats = (s: number, q: number, count: number) => ({
      mean: s / count,
      std: Math.sqrt(Math.max(0, q / count - (s / count) ** 2)),
    });
    const channels = Array.from({ length: this.channels }, (_, ch) =>
      stats(this.sum[ch]!, this.squares[ch]!, n),
    );
    const total = stats(
      this.sum.reduce((a, b) => a + b, 0),
      this.squares.reduce((a, b) => a + b, 0),
      n * this.channels,
    );
    return { pixels: this.count * this.channels, ...total, channels };
  }
}

class NumericColumn {
  count = 0;
  missing = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  distinct = new Set<number>();
  sketch: DistinctSketch | null = null;
  sample: number[] = [];
  constructor(
    private readonly random: Random,
    private readonly sampleSize: number,
  ) {}
  add(value: number | null): void {
    if (value === null) return void (this.missing += 1);
    this.count += 1;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.sketch) this.sketch.add(hashNumber(value));
    else if (this.distinct.size < DISTINCT_LIMIT || this.distinct.has(value)) this.distinct.add(value);
    else {
      // The exact set is full: the sketch starts from it and sees every later value.
      this.sketch = new DistinctSketch();
      for (const seen of this.distinct) this.sketch.add(hashNumber(seen));
      this.sketch.add(hashNumber(value));
      this.distinct.clear();
    }
    if (this.sample.length < this.sampleSize) this.sample.push(value);
    else {
      const j = Math.floor(this.random() * this.count);
      if (j < this.sampleSize) this.sample[j] = value;
    }
  }
  summary(): NumericSummary {
    const sorted = [...this.sample].sort((a, b) => a - b);
    const q = (p: number) =>
      sorted.length === 0
        ? 0
        : sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))]!;
    const histogram: NumericSummary['histogram'] = [];
    if (this.count > 0) {
      const width = (this.max - this.min) / BINS || 1;
      for (let b = 0; b < BINS; b++)
        histogram.push({ from: this.min + b * width, to: this.min + (b + 1) * width, count: 0 });
      for (const v of sorted) histogram[Math.min(BINS - 1, Math.floor((v - this.min) / width))]!.count += 1;
    }
    return {
      kind: 'numeric',
      count: this.count,
      missing: this.missing,
      distinct: this.sketch ? this.sketch.estimate() : this.distinct.size,
      distinctCapped: this.sketch !== null,
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
  // Counts are kept for the first 10,000 distinct values (top values, drift); beyond them the
  // sketch (fed the kept values once, then every value not among them) estimates the distinct count.
  sketch: DistinctSketch | null = null;
  add(value: string | null): void {
    if (value === null) return void (this.missing += 1);
    this.count += 1;
    const known = this.counts.get(value);
    if (known !== undefined) this.counts.set(value, known + 1);
    else if (this.counts.size < DISTINCT_LIMIT) this.counts.set(value, 1);
    else {
      if (!this.sketch) {
        this.sketch = new DistinctSketch();
        for (const seen of this.counts.keys()) this.sketch.add(hashString(seen));
      }
      this.sketch.add(hashString(value));
    }
  }
  summary(): CategoricalSummary {
    const top = [...this.counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, TOP)
      .map(([value, count]) => ({ value, count }));
    return {
      kind: 'categorical',
      count: this.count,
      missing: this.missing,
      distinct: this.sketch ? this.sketch.estimate() : this.counts.size,
      distinctCapped: this.sketch !== null,
      top,
      counts: Object.fromEntries(this.counts),
    };
  }
}

/** Accumulates a profile row by row in bounded memory. */
export class Profiler {
  private rows = 0;
  private readonly numeric = new Map<string, NumericColumn>();
  private readonly categorical = new Map<string, CategoricalColumn>();
  private readonly labels = new Map<string, number>();
  private pixels: PixelColumn | null = null;
  private readonly random: Random;
  constructor(
    private readonly sampleSize = 2_000,
    seed = 7,
  ) {
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
  /** One image's pixels, interleaved channels (rows.ts). */
  addPixels(pixels: Uint8Array, channels: number): void {
    this.pixels ??= new PixelColumn(channels);
    this.pixels.add(pixels);
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
    return {
      rows: this.rows,
      columns,
      ...(this.labels.size ? { labels: Object.fromEntries([...this.labels].sort()) } : {}),
      ...(this.pixels ? { image: this.pixels.summary() } : {}),
    };
  }
}
