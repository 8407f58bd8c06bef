/**
 * Turns a run's metric history (GET /runs/:id/metrics: `{ name: [{ step, value }] }`) into
 * the charts of the run page. A training metric and its validation twin share a chart
 * (`loss` with `valLoss` or `val_loss`), so over-fitting shows as two curves parting; other
 * metrics (learning rate, throughput) get a chart each. Pure.
 */
import type { MetricPoint } from '@lathe/contract';

export interface ChartSeries {
  name: string;
  /** Validation curves are drawn dashed. */
  validation: boolean;
}

export interface MetricChart {
  /** The base metric name: `loss`, `acc`. */
  key: string;
  title: string;
  series: ChartSeries[];
  /** uPlot's columnar data: x (steps) first, then one y array per series (null where a series has no point). */
  data: [number[], ...Array<Array<number | null>>];
}

const VALIDATION_PREFIX = /^(validation|val)[_\-.]?/i;

/** `valLoss` → `{ base: 'loss', validation: true }`; `val_acc` → `acc`; `loss` stays. */
export function splitMetricName(name: string): { base: string; validation: boolean } {
  const match = VALIDATION_PREFIX.exec(name);
  if (!match || match[0].length === name.length) return { base: name, validation: false };
  const rest = name.slice(match[0].length);
  // camelCase twin: valLoss → loss; only when the prefix ends where a capital starts.
  if (!/[_\-.]$/.test(match[0]) && !/^[A-Z]/.test(rest)) return { base: name, validation: false };
  return { base: rest.charAt(0).toLowerCase() + rest.slice(1), validation: true };
}

/** Charts ordered with loss first, then accuracy-like metrics, then the rest by name. */
const PRIORITY = ['loss', 'acc', 'accuracy', 'rmse', 'mae', 'auc', 'f1'];

export function metricCharts(series: Record<string, readonly MetricPoint[]>): MetricChart[] {
  const groups = new Map<
    string,
    Array<{ name: string; validation: boolean; points: readonly MetricPoint[] }>
  >();
  for (const [name, points] of Object.entries(series)) {
    if (points.length === 0) continue;
    const { base, validation } = splitMetricName(name);
    const group = groups.get(base) ?? [];
    group.push({ name, validation, points });
    groups.set(base, group);
  }
  const rank = (key: string) => {
    const i = PRIORITY.indexOf(key.toLowerCase());
    return i === -1 ? PRIORITY.length : i;
  };
  const keys = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return keys.map((key) => {
    const members = groups
      .get(key)!
      .sort((a, b) => Number(a.validation) - Number(b.validation) || a.name.localeCompare(b.name));
    const steps = [...new Set(members.flatMap((m) => m.points.map((p) => p.step)))].sort((a, b) => a - b);
    const columns = members.map((m) => {
      const byStep = new Map(m.points.map((p) => [p.step, p.value]));
      return steps.map((step) => {
        const value = byStep.get(step);
        return value !== undefined && Number.isFinite(value) ? value : null;
      });
    });
    return {
      key,
      title: members.map((m) => m.name).join(' / '),
      series: members.map((m) => ({ name: m.name, validation: m.validation })),
      data: [steps, ...columns],
    };
  });
}

/** The latest value of each metric, for the summary line above the charts. */
export function latestValues(
  series: Record<string, readonly MetricPoint[]>,
): Array<{ name: string; step: number; value: number }> {
  return Object.entries(series)
    .filter(([, points]) => points.length > 0)
    .map(([name, points]) => {
      const last = points[points.length - 1]!;
      return { name, step: last.step, value: last.value };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The training curves of several runs on shared charts (the compare page): one chart per base
 * metric, each run's series named after it (`v2 loss`, `v2 valLoss`), over the union of epochs.
 */
export function overlaidMetricCharts(
  runs: ReadonlyArray<{ label: string; series: Record<string, readonly MetricPoint[]> }>,
): MetricChart[] {
  const merged = new Map<string, Array<{ label: string; chart: MetricChart }>>();
  for (const run of runs) {
    for (const chart of metricCharts(run.series)) {
      const list = merged.get(chart.key) ?? [];
      list.push({ label: run.label, chart });
      merged.set(chart.key, list);
    }
  }
  return [...merged.entries()].map(([key, members]) => {
    const steps = [...new Set(members.flatMap((m) => m.chart.data[0]))].sort((a, b) => a - b);
    const series: ChartSeries[] = [];
    const columns: Array<Array<number | null>> = [];
    for (const { label, chart } of members) {
      const [xs, ...ys] = chart.data;
      chart.series.forEach((s, i) => {
        series.push({ name: `${label} ${s.name}`, validation: s.validation });
        const byStep = new Map(xs.map((step, j) => [step, ys[i]![j] ?? null]));
        columns.push(steps.map((step) => byStep.get(step) ?? null));
      });
    }
    return { key, title: members[0]!.chart.title, series, data: [steps, ...columns] };
  });
}
