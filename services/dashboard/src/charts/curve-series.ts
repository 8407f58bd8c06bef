/**
 * Curves (ROC, PR, calibration, lift/gains) as uPlot's columnar data. uPlot draws every series
 * over one shared, ascending x column, but overlaid curves have their own x values, and a ROC
 * curve has vertical runs (several points at one false positive rate). So the x column is the
 * union of every curve's points in x order, each point kept (duplicates included), and a curve
 * has values only at its own points: null elsewhere, bridged by `spanGaps`. Pure.
 */
export interface CurveInput {
  name: string;
  points: ReadonlyArray<{ x: number; y: number }>;
}

export type CurveData = [number[], ...Array<Array<number | null>>];

/**
 * `points` may come in either x direction (scikit-learn's PR curve runs from recall 1 to 0);
 * each curve is put in ascending x, ties kept in their drawing order.
 */
export function overlayCurves(curves: readonly CurveInput[]): CurveData {
  const entries: Array<{ x: number; y: number; curve: number; order: number }> = [];
  curves.forEach((curve, c) => {
    const pts = [...curve.points];
    const first = pts[0];
    const last = pts[pts.length - 1];
    if (first && last && first.x > last.x) pts.reverse();
    pts.forEach((p, order) => entries.push({ x: p.x, y: p.y, curve: c, order }));
  });
  entries.sort((a, b) => a.x - b.x || a.curve - b.curve || a.order - b.order);
  const xs = entries.map((e) => e.x);
  const columns = curves.map((_, c) => entries.map((e) => (e.curve === c ? e.y : null)));
  return [xs, ...columns];
}

/** The y = x reference line (chance on ROC, perfect calibration) over [0, 1]. */
export const DIAGONAL: CurveInput = {
  name: 'y = x',
  points: [
    { x: 0, y: 0 },
    { x: 1, y: 1 },
  ],
};
