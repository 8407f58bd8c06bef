/**
 * A dataset version's profile as rows to print: one per column with its statistics and, for
 * numeric columns, a histogram. The profile is JSON written by @lathe/data's profiler; this
 * reads the shapes a profile can take (`{ columns: [...] }` or `{ <column>: {...} }`, histograms
 * as edges + counts or as a list of bins) so the page shows what is there rather than failing
 * on a field it does not know. Pure.
 */

export interface HistogramBar {
  label: string;
  count: number;
}

export interface ColumnProfile {
  name: string;
  type: string | null;
  /** Scalar statistics in display order: count, missing, distinct, mean, std, min, quantiles, max, then any other. */
  stats: Array<{ label: string; value: number | string }>;
  histogram: HistogramBar[] | null;
  /** Most frequent values of a categorical column. */
  top: Array<{ value: string; count: number }> | null;
}

const STAT_ORDER = [
  'count',
  'rows',
  'missing',
  'nulls',
  'missingRate',
  'distinct',
  'unique',
  'mean',
  'std',
  'stddev',
  'min',
  'p05',
  'p25',
  'median',
  'p50',
  'p75',
  'p95',
  'max',
];
const NOT_STATS = new Set([
  'name',
  'column',
  'type',
  'kind',
  'dtype',
  'histogram',
  'hist',
  'top',
  'topValues',
  'frequent',
  'quantiles',
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function edgeLabel(lo: unknown, hi: unknown): string {
  const f = (v: unknown) => (isNumber(v) ? Number(v.toPrecision(3)).toString() : String(v));
  return `${f(lo)}–${f(hi)}`;
}

export function readHistogram(raw: unknown): HistogramBar[] | null {
  if (Array.isArray(raw)) {
    if (raw.every(isNumber)) return raw.map((count, i) => ({ label: String(i), count }));
    const bars: HistogramBar[] = [];
    for (const bin of raw) {
      if (!isRecord(bin)) return null;
      const count = bin.count ?? bin.n ?? bin.frequency;
      if (!isNumber(count)) return null;
      const lo = bin.lo ?? bin.start ?? bin.from ?? bin.low ?? bin.min;
      const hi = bin.hi ?? bin.end ?? bin.to ?? bin.high ?? bin.max;
      const label = bin.label ?? bin.bin ?? bin.value;
      bars.push({
        label: lo !== undefined && hi !== undefined ? edgeLabel(lo, hi) : String(label ?? bars.length),
        count,
      });
    }
    return bars;
  }
  if (isRecord(raw)) {
    const counts = raw.counts ?? raw.count ?? raw.frequencies;
    if (!Array.isArray(counts) || !counts.every(isNumber)) return null;
    const edges = raw.edges ?? raw.bins ?? raw.boundaries;
    if (Array.isArray(edges) && edges.length === counts.length + 1) {
      return counts.map((count, i) => ({ label: edgeLabel(edges[i], edges[i + 1]), count }));
    }
    if (Array.isArray(edges) && edges.length === counts.length)
      return counts.map((count, i) => ({ label: String(edges[i]), count }));
    return counts.map((count, i) => ({ label: String(i), count }));
  }
  return null;
}

function readTop(raw: unknown): ColumnProfile['top'] {
  if (Array.isArray(raw)) {
    const out: Array<{ value: string; count: number }> = [];
    for (const item of raw) {
      if (isRecord(item) && isNumber(item.count))
        out.push({ value: String(item.value ?? item.label ?? ''), count: item.count });
      else if (Array.isArray(item) && item.length === 2 && isNumber(item[1]))
        out.push({ value: String(item[0]), count: item[1] });
    }
    return out.length ? out : null;
  }
  if (isRecord(raw)) {
    const entries = Object.entries(raw).filter((e): e is [string, number] => isNumber(e[1]));
    return entries.length
      ? entries.sort((a, b) => b[1] - a[1]).map(([value, count]) => ({ value, count }))
      : null;
  }
  return null;
}

function readColumn(name: string, raw: Record<string, unknown>): ColumnProfile {
  const stats: ColumnProfile['stats'] = [];
  const flat: Record<string, unknown> = { ...raw };
  // Quantiles may be nested: { quantiles: { p25: …, p50: … } }.
  if (isRecord(raw.quantiles))
    for (const [k, v] of Object.entries(raw.quantiles)) flat[/^\d/.test(k) ? `p${k}` : k] ??= v;
  const keys = Object.keys(flat).filter(
    (k) =>
      !NOT_STATS.has(k) && (isNumber(flat[k]) || typeof flat[k] === 'string' || typeof flat[k] === 'boolean'),
  );
  const rank = (k: string) => {
    const i = STAT_ORDER.indexOf(k);
    return i === -1 ? STAT_ORDER.length : i;
  };
  keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const key of keys) stats.push({ label: key, value: flat[key] as number | string });
  const typeValue = raw.type ?? raw.kind ?? raw.dtype;
  return {
    name,
    type: typeof typeValue === 'string' ? typeValue : null,
    stats,
    histogram: readHistogram(raw.histogram ?? raw.hist),
    top: readTop(raw.top ?? raw.topValues ?? raw.frequent),
  };
}

/** Columns of a profile in their stored order; [] when there is no profile. */
export function profileColumns(profile: unknown): ColumnProfile[] {
  if (!isRecord(profile)) return [];
  const columns = profile.columns;
  if (Array.isArray(columns)) {
    return columns
      .filter(isRecord)
      .map((c, i) => readColumn(String(c.name ?? c.column ?? `column ${i + 1}`), c));
  }
  if (isRecord(columns))
    return Object.entries(columns)
      .filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]))
      .map(([n, c]) => readColumn(n, c));
  return Object.entries(profile)
    .filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]))
    .map(([n, c]) => readColumn(n, c));
}

/** Profile-level numbers (rows, columns, duplicates…) that are not per column. */
export function profileSummary(profile: unknown): Array<{ label: string; value: number | string }> {
  if (!isRecord(profile)) return [];
  return Object.entries(profile)
    .filter(([k, v]) => k !== 'columns' && (isNumber(v) || typeof v === 'string'))
    .map(([label, value]) => ({ label, value: value as number | string }));
}
