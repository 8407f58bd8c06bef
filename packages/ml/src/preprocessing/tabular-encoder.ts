/**
 * Tabular preprocessing learnt from the training split: numeric columns are standardised
 * (z = (x − mean) / std, Welford's one-pass mean and variance; missing → 0, i.e. the mean);
 * categorical columns keep their `maxCategories` most frequent values, slot 0 standing for
 * other/unknown/missing, and are one-hot encoded or, above `oneHotLimit` values, embedded.
 */
import type { TabularRow } from '@lathe/contract';

export interface NumericColumn {
  name: string;
  mean: number;
  std: number;
}
export interface CategoricalColumn {
  name: string;
  values: string[];
  encoding: 'one-hot' | 'embedding';
}
export interface TabularEncoding {
  numeric: NumericColumn[];
  categorical: CategoricalColumn[];
}

/** Distinct numbers counted per numeric column, so that it can still turn categorical. */
const NUMBER_COUNTS_KEPT = 10_000;

export class TabularStatistics {
  private readonly numeric = new Map<
    string,
    { n: number; mean: number; m2: number; counts: Map<string, number> | null }
  >();
  private readonly categorical = new Map<string, Map<string, number>>();
  private readonly order: string[] = [];

  add(row: TabularRow): void {
    for (const [name, value] of Object.entries(row.features)) {
      if (!this.numeric.has(name) && !this.categorical.has(name)) this.order.push(name);
      if (value === null || value === undefined) continue;
      if (typeof value === 'number' && !this.categorical.has(name)) {
        const s = this.numeric.get(name) ?? { n: 0, mean: 0, m2: 0, counts: new Map<string, number>() };
        s.n++;
        const d = value - s.mean;
        s.mean += d / s.n;
        s.m2 += d * (value - s.mean);
        if (s.counts) {
          const key = String(value);
          s.counts.set(key, (s.counts.get(key) ?? 0) + 1);
          if (s.counts.size > NUMBER_COUNTS_KEPT) s.counts = null;
        }
        this.numeric.set(name, s);
      } else {
        // A string anywhere makes the column categorical: integer codes with an odd "unknown"
        // among them. The codes counted so far carry over (unless there were too many to keep).
        const counts =
          this.categorical.get(name) ?? this.numeric.get(name)?.counts ?? new Map<string, number>();
        this.numeric.delete(name);
        counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
        this.categorical.set(name, counts);
      }
    }
  }

  build(maxCategories: number, oneHotLimit: number): TabularEncoding {
    const numeric: NumericColumn[] = [];
    const categorical: CategoricalColumn[] = [];
    for (const name of this.order) {
      const s = this.numeric.get(name);
      if (s !== undefined) {
        const std = s.n > 1 ? Math.sqrt(s.m2 / (s.n - 1)) : 1;
        numeric.push({ name, mean: s.mean, std: std > 1e-12 ? std : 1 });
        continue;
      }
      const counts = this.categorical.get(name);
      if (counts === undefined) {
        numeric.push({ name, mean: 0, std: 1 }); // only missing values seen
        continue;
      }
      const values = [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, maxCategories)
        .map(([v]) => v);
      categorical.push({ name, values, encoding: values.length + 1 > oneHotLimit ? 'embedding' : 'one-hot' });
    }
    return { numeric, categorical };
  }
}

export class TabularEncoder {
  private readonly indexes: Map<string, number>[];
  readonly denseWidth: number;
  readonly embedded: CategoricalColumn[];

  constructor(readonly encoding: TabularEncoding) {
    this.indexes = encoding.categorical.map((c) => new Map(c.values.map((v, i) => [v, i + 1])));
    this.embedded = encoding.categorical.filter((c) => c.encoding === 'embedding');
    this.denseWidth =
      encoding.numeric.length +
      encoding.categorical
        .filter((c) => c.encoding === 'one-hot')
        .reduce((a, c) => a + c.values.length + 1, 0);
  }

  /** Dense features [n × denseWidth] and one id column per embedded categorical. Never throws on odd values. */
  encode(rows: { features: Record<string, unknown> }[]): { dense: Float32Array; embeddedIds: Int32Array[] } {
    const dense = new Float32Array(rows.length * this.denseWidth);
    const embeddedIds = this.embedded.map(() => new Int32Array(rows.length));
    rows.forEach((row, r) => {
      const features = row?.features ?? {};
      let o = r * this.denseWidth;
      for (const c of this.encoding.numeric) {
        const v = features[c.name];
        dense[o++] = typeof v === 'number' && Number.isFinite(v) ? (v - c.mean) / c.std : 0;
      }
      let e = 0;
      this.encoding.categorical.forEach((c, k) => {
        const v = features[c.name];
        const id = v === null || v === undefined ? 0 : (this.indexes[k]!.get(String(v)) ?? 0);
        if (c.encoding === 'one-hot') {
          dense[o + id] = 1;
          o += c.values.length + 1;
        } else {
          embeddedIds[e++]![r] = id;
        }
      });
    });
    return { dense, embeddedIds };
  }
}
