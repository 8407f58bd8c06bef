/** A column's histogram as SVG bars, with the bin and count in each bar's tooltip. */
import type { HistogramBar } from '../datasets/profile-view.ts';

export function Histogram({
  bars,
  width = 240,
  height = 64,
}: {
  bars: HistogramBar[];
  width?: number;
  height?: number;
}) {
  const max = Math.max(1, ...bars.map((b) => b.count));
  const barWidth = width / Math.max(1, bars.length);
  return (
    <svg
      className="histogram"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`histogram of ${bars.length} bins`}
    >
      {bars.map((bar, i) => {
        const h = (bar.count / max) * (height - 2);
        return (
          <rect key={i} x={i * barWidth + 0.5} y={height - h} width={Math.max(1, barWidth - 1)} height={h}>
            <title>{`${bar.label}: ${bar.count.toLocaleString('en-US')}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
