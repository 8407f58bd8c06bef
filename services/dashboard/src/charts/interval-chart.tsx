/**
 * An estimate over time with its interval drawn as a shaded band between two dashed bounds,
 * and the line of no change: how a confidence sequence narrows as units arrive. uPlot, as the
 * run page's metric charts.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { intervalColumns, type IntervalChartData } from './interval-series.ts';

const ESTIMATE = '#2563eb';
const BOUND = '#93c5fd';
const BAND = 'rgba(37, 99, 235, 0.12)';
const REFERENCE = '#6b7280';

export function IntervalChart({
  chart,
  format,
  width = 640,
  height = 240,
}: {
  chart: IntervalChartData;
  /** How a y value reads on the axis and in the legend. */
  format: (value: number) => string;
  width?: number;
  height?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const formatRef = useRef(format);
  formatRef.current = format;
  const labels = `${chart.labels.estimate}|${chart.labels.lower}|${chart.labels.upper}|${chart.labels.reference}`;
  const columns = intervalColumns(chart);

  useEffect(() => {
    if (!container.current) return;
    const legendValue = (_u: uPlot, v: number | null) => (v === null ? '—' : formatRef.current(v));
    const options: uPlot.Options = {
      width,
      height,
      scales: { x: { time: true } },
      axes: [{}, { values: (_u, splits) => splits.map((v) => formatRef.current(v)), size: 64 }],
      series: [
        {},
        {
          label: chart.labels.estimate,
          stroke: ESTIMATE,
          width: 2,
          spanGaps: true,
          points: { show: true, size: 5 },
          value: legendValue,
        },
        {
          label: chart.labels.upper,
          stroke: BOUND,
          width: 1,
          dash: [6, 4],
          points: { show: false },
          value: legendValue,
        },
        {
          label: chart.labels.lower,
          stroke: BOUND,
          width: 1,
          dash: [6, 4],
          points: { show: false },
          value: legendValue,
        },
        {
          label: chart.labels.reference,
          stroke: REFERENCE,
          width: 1,
          points: { show: false },
          value: legendValue,
        },
      ],
      bands: [{ series: [2, 3], fill: BAND }],
    };
    plot.current = new uPlot(options, columns as uPlot.AlignedData, container.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt when the labels or size change; new points only replace the data (below).
  }, [labels, width, height]);

  useEffect(() => {
    plot.current?.setData(columns as uPlot.AlignedData);
  }, [chart]);

  return (
    <figure className="chart" data-chart={chart.key}>
      <figcaption>{chart.title}</figcaption>
      <div ref={container} />
    </figure>
  );
}
