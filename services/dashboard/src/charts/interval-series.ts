/**
 * An estimate with its interval over time (a confidence sequence narrowing as data arrives),
 * in uPlot's columnar layout for the interval chart. Pure: points are sorted by time, and
 * anything that is not a finite number (null, as JSON writes Infinity and NaN) becomes a gap.
 */

export interface IntervalPoint {
  /** Milliseconds since the epoch. */
  at: number;
  estimate: number | null | undefined;
  lower: number | null | undefined;
  upper: number | null | undefined;
}

export interface IntervalChartData {
  key: string;
  title: string;
  labels: { estimate: string; lower: string; upper: string; reference: string };
  /** x: seconds since the epoch (uPlot's time scale), ascending. */
  x: number[];
  estimate: Array<number | null>;
  lower: Array<number | null>;
  upper: Array<number | null>;
  /** The line of no change (0) at every x. */
  reference: number[];
}

const finiteOrNull = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

export function intervalSeries(
  points: readonly IntervalPoint[],
  meta: Pick<IntervalChartData, 'key' | 'title' | 'labels'>,
): IntervalChartData {
  const sorted = points
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => Number.isFinite(p.at))
    // Stable: points at the same instant keep their order.
    .sort((a, b) => a.p.at - b.p.at || a.i - b.i)
    .map(({ p }) => p);
  return {
    ...meta,
    x: sorted.map((p) => p.at / 1000),
    estimate: sorted.map((p) => finiteOrNull(p.estimate)),
    lower: sorted.map((p) => finiteOrNull(p.lower)),
    upper: sorted.map((p) => finiteOrNull(p.upper)),
    reference: sorted.map(() => 0),
  };
}

/** uPlot's columns: x, estimate, upper, lower, reference (the band fills between upper and lower). */
export function intervalColumns(chart: IntervalChartData): [number[], ...Array<Array<number | null>>] {
  return [chart.x, chart.estimate, chart.upper, chart.lower, chart.reference];
}
