/**
 * The confusion matrix as a heatmap: rows are the true class, columns the predicted class; each
 * cell shows its count and its share of the true class (recall on the diagonal), shaded by that
 * share so a class the model confuses stands out whatever the class sizes.
 */
import type { ConfusionHeatmap as Heatmap } from '../evaluations/evaluation-view.ts';
import { formatPercent } from '../format/format.ts';

export function ConfusionHeatmap({ heatmap }: { heatmap: Heatmap }) {
  return (
    <table className="table heatmap" data-testid="confusion-matrix">
      <thead>
        <tr>
          <th className="small">true ↓ / predicted →</th>
          {heatmap.classes.map((c) => (
            <th key={c}>{c}</th>
          ))}
          <th>rows</th>
        </tr>
      </thead>
      <tbody>
        {heatmap.rows.map((row, i) => (
          <tr key={heatmap.classes[i]}>
            <th>{heatmap.classes[i]}</th>
            {row.map((cell, j) => (
              <td
                key={j}
                className={i === j ? 'diagonal' : ''}
                data-true={cell.trueClass}
                data-predicted={cell.predictedClass}
                data-count={cell.count}
                title={`${cell.count} of ${heatmap.rowTotals[i]} rows of class ${cell.trueClass} predicted ${cell.predictedClass} (${formatPercent(cell.share)} of all rows)`}
                style={{
                  background: `rgba(${i === j ? '5, 150, 105' : '220, 38, 38'}, ${(cell.rowRate ?? 0) * 0.75})`,
                }}
              >
                <strong>{cell.count}</strong>
                <span className="rate">{formatPercent(cell.rowRate)}</span>
              </td>
            ))}
            <td className="muted">{heatmap.rowTotals[i]}</td>
          </tr>
        ))}
        <tr>
          <th>predicted</th>
          {heatmap.columnTotals.map((t, j) => (
            <td key={j} className="muted">
              {t}
            </td>
          ))}
          <td className="muted">{heatmap.total}</td>
        </tr>
      </tbody>
    </table>
  );
}
