/**
 * What the evaluation page draws, from the stored Evaluation.curves and slices: the confusion
 * matrix as heatmap cells (count, share of the true class, share of all rows), calibration
 * points of the non-empty bins, the slice table's columns, and a ranking model against the
 * popularity baseline. Stored JSON is read defensively:
 * an evaluation scored before a field existed, or by a model kind without it, shows the empty
 * state instead of a broken chart. Pure.
 */
import type { CalibrationBin, CurvePoint, EvaluationCurves, EvaluationSlice } from '@lathe/contract';

export interface HeatmapCell {
  count: number;
  /** count / row total: recall on the diagonal, the confusion into `predicted` elsewhere. */
  rowRate: number | null;
  /** count / all rows. */
  share: number | null;
  trueClass: string;
  predictedClass: string;
}

export interface ConfusionHeatmap {
  classes: string[];
  rows: HeatmapCell[][];
  rowTotals: number[];
  columnTotals: number[];
  total: number;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Points of a stored curve, or null when the field is missing or malformed. */
export function curvePoints(value: unknown): CurvePoint[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const points: CurvePoint[] = [];
  for (const p of value) {
    if (!p || typeof p !== 'object' || !isNumber(p.x) || !isNumber(p.y)) return null;
    points.push(p as CurvePoint);
  }
  return points;
}

/** The square count matrix with one name per class (from perClass, else the index). */
export function confusionHeatmap(curves: EvaluationCurves | null | undefined): ConfusionHeatmap | null {
  const matrix = curves?.confusionMatrix;
  if (!Array.isArray(matrix) || matrix.length === 0) return null;
  const n = matrix.length;
  if (!matrix.every((row) => Array.isArray(row) && row.length === n && row.every(isNumber))) return null;
  const names = new Map((curves?.perClass ?? []).map((c) => [c.label, c.name]));
  const classes = Array.from({ length: n }, (_, i) => names.get(i) ?? String(i));
  const rowTotals = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const columnTotals = classes.map((_, j) => matrix.reduce((sum, row) => sum + row[j]!, 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  const rows = matrix.map((row, i) =>
    row.map((count, j) => ({
      count,
      rowRate: rowTotals[i]! > 0 ? count / rowTotals[i]! : null,
      share: total > 0 ? count / total : null,
      trueClass: classes[i]!,
      predictedClass: classes[j]!,
    })),
  );
  return { classes, rows, rowTotals, columnTotals, total };
}

/** The non-empty calibration bins as (mean predicted, fraction positive, rows), in bin order. */
export function calibrationPoints(
  bins: readonly CalibrationBin[] | null | undefined,
): Array<{ predicted: number; observed: number; count: number }> | null {
  if (!Array.isArray(bins)) return null;
  const points = bins
    .filter((b) => !b.empty && isNumber(b.meanPredicted) && isNumber(b.fractionPositive))
    .map((b) => ({ predicted: b.meanPredicted!, observed: b.fractionPositive!, count: b.count }));
  return points.length > 0 ? points : null;
}

/** Headline metrics a slice table shows first; a slice has many more (every average). */
const SLICE_COLUMNS = ['accuracy', 'precision', 'recall', 'f1', 'auc', 'logLoss', 'rmse', 'mae', 'r2'];
const MAX_SLICE_COLUMNS = 6;

export interface SliceTable {
  /**
   * Metric columns: of those every non-empty slice has, the headline ones, else the first
   * ones in the first slice's order; at most MAX_SLICE_COLUMNS.
   */
  metrics: string[];
  rows: Array<{ segment: string; count: number; values: Array<number | null> }>;
}

/** Per-slice metrics as a table; empty segments stay as rows without values. */
export function sliceTable(slices: readonly EvaluationSlice[] | null | undefined): SliceTable | null {
  if (!Array.isArray(slices) || slices.length === 0) return null;
  const filled = slices.filter((s): s is Extract<EvaluationSlice, { empty: false }> => !s.empty);
  const first = filled[0];
  const shared = first
    ? Object.keys(first.metrics).filter((m) => filled.every((s) => isNumber(s.metrics[m])))
    : [];
  const headline = SLICE_COLUMNS.filter((m) => shared.includes(m));
  const metrics = (headline.length > 0 ? headline : shared).slice(0, MAX_SLICE_COLUMNS);
  return {
    metrics,
    rows: slices.map((s) => ({
      segment: s.segment,
      count: s.count,
      values: metrics.map((m) => (s.empty ? null : (s.metrics[m] ?? null))),
    })),
  };
}

export interface BaselineRow {
  metric: string;
  model: number;
  baseline: number;
  delta: number;
  /** model / baseline; null when the baseline scores 0. */
  lift: number | null;
}

/** A ranking model against recommending the best-sellers, metric by metric (by name). */
export function popularityRows(curves: EvaluationCurves | null | undefined): BaselineRow[] | null {
  const comparison = curves?.popularityBaseline?.comparison;
  if (!comparison || typeof comparison !== 'object') return null;
  const rows = Object.entries(comparison)
    .filter(([, c]) => isNumber(c?.model) && isNumber(c.baseline) && isNumber(c.delta))
    .map(([metric, c]) => ({
      metric,
      model: c.model,
      baseline: c.baseline,
      delta: c.delta,
      lift: isNumber(c.lift) ? c.lift : null,
    }))
    .sort((a, b) => a.metric.localeCompare(b.metric));
  return rows.length > 0 ? rows : null;
}
