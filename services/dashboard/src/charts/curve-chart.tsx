/**
 * Curves over a [0, 1] axis (ROC, precision-recall, calibration, lift/gains), one or several
 * overlaid, drawn with uPlot like the metric charts. `reference` adds the dashed y = x line
 * (chance on a ROC chart, perfect calibration). The figure carries the number of stored points
 * each curve has, so what is drawn can be checked against the evaluation.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { DIAGONAL, overlayCurves, type CurveInput } from './curve-series.ts';

/** Ten distinct colours (Tableau 10): a 10-class one-vs-rest ROC chart repeats none. */
export const CURVE_COLORS = [
  '#4e79a7',
  '#e15759',
  '#59a14f',
  '#f28e2b',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function CurveChart({
  id,
  title,
  xLabel,
  yLabel,
  curves,
  reference = false,
  points = false,
  fitY = false,
  width = 340,
  height = 250,
}: {
  /** Names the figure (`data-chart`) for tests and styles. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  curves: CurveInput[];
  reference?: boolean;
  /** Draw each stored point (calibration bins), not only the line. */
  points?: boolean;
  /** Fit y to the data instead of [0, 1] (lift is above 1). */
  fitY?: boolean;
  width?: number;
  height?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const all = useMemo(() => (reference ? [...curves, DIAGONAL] : curves), [curves, reference]);
  const data = useMemo(() => overlayCurves(all), [all]);

  useEffect(() => {
    if (!container.current) return;
    const options: uPlot.Options = {
      width,
      height,
      scales: {
        x: { time: false, range: [0, 1] },
        y: fitY ? {} : { range: [0, 1] },
      },
      axes: [{ label: xLabel }, { label: yLabel }],
      // The legend names the curves; a live readout of every curve at the cursor is noise here.
      legend: { live: false },
      series: [
        { label: xLabel },
        ...all.map((c, i) => {
          const isReference = reference && i === all.length - 1;
          return {
            label: c.name,
            stroke: isReference ? '#9ca3af' : CURVE_COLORS[i % CURVE_COLORS.length]!,
            width: isReference ? 1 : 2,
            spanGaps: true,
            points: { show: points && !isReference, size: 6 },
            ...(isReference ? { dash: [4, 4] } : {}),
          };
        }),
      ],
    };
    const plot = new uPlot(options, data as uPlot.AlignedData, container.current);
    return () => plot.destroy();
  }, [data, all, width, height, xLabel, yLabel, reference, points, fitY]);

  return (
    <figure className="chart" data-chart={id} data-points={curves.map((c) => c.points.length).join(',')}>
      <figcaption>{title}</figcaption>
      <div ref={container} />
    </figure>
  );
}
