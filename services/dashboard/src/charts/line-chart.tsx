/**
 * One metric chart (a metric and its validation twin over epochs) drawn with uPlot, a small
 * canvas chart library: fast redraws as SSE points arrive, axes, legend and a cursor readout.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricChart } from './metric-series.ts';

const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2'];

export function LineChart({
  chart,
  width = 440,
  height = 220,
}: {
  chart: MetricChart;
  width?: number;
  height?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = chart.series.map((s) => s.name).join('|');

  // Build the chart when its series change; only its data when points arrive.
  useEffect(() => {
    if (!container.current) return;
    const options: uPlot.Options = {
      width,
      height,
      scales: { x: { time: false } },
      // Steps are whole epochs: no ticks at 1.5.
      axes: [{ label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }, {}],
      series: [
        { label: 'epoch' },
        ...chart.series.map((s, i) => ({
          label: s.name,
          stroke: COLORS[i % COLORS.length]!,
          width: 2,
          spanGaps: true,
          points: { show: true, size: 4 },
          ...(s.validation ? { dash: [6, 4] } : {}),
        })),
      ],
    };
    plot.current = new uPlot(options, chart.data as uPlot.AlignedData, container.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape, width, height]);

  useEffect(() => {
    plot.current?.setData(chart.data as uPlot.AlignedData);
  }, [chart.data]);

  return (
    <figure className="chart" data-metric={chart.key}>
      <figcaption>{chart.title}</figcaption>
      <div ref={container} />
    </figure>
  );
}
