/**
 * Cumulative gains and lift (Linoff & Berry, "Data Mining Techniques", ch. on response models):
 * rank the rows by score, take the top share q of them, and report the share of all positives
 * they hold (capture, the gains curve's y at x = q) and capture / q (lift: how many times better
 * than contacting customers at random). This is how a churn or conversion model is read by the
 * team that acts on it: "the top 10% of scores holds 38% of the churners, lift 3.8".
 *
 * The top q of n rows is the first ceil(q·n) in descending score order; rows with equal scores
 * keep their input order (a stable sort), so the table is deterministic.
 */
import type { UndefinedMetric } from './metric-value.ts';
import { undefinedMetric } from './metric-value.ts';

export interface GainsRow {
  /** Share of rows contacted, e.g. 0.1 for the top decile. */
  readonly fraction: number;
  readonly rows: number;
  readonly positives: number;
  /** Share of all positives among those rows (cumulative gain). */
  readonly capture: number;
  /** Positive rate among those rows. */
  readonly precision: number;
  /** capture / fraction of rows actually taken; 1 is random targeting. */
  readonly lift: number;
  /** The lowest score among those rows: targeting "score ≥ this" takes them. */
  readonly threshold: number;
}

/** The headline rows (5%, 10%, 20%) and every decile for the gains chart. */
export const GAINS_FRACTIONS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;

export function gainsTable(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  fractions: readonly number[] = GAINS_FRACTIONS,
): GainsRow[] | UndefinedMetric {
  const n = yTrue.length;
  if (n === 0) return undefinedMetric('empty_input', 'gains are undefined on 0 rows');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const cumulative = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) cumulative[k + 1] = cumulative[k]! + (yTrue[order[k]!] === 1 ? 1 : 0);
  const positives = cumulative[n]!;
  if (positives === 0)
    return undefinedMetric('no_positive', 'gains are undefined: no positive row in y_true');
  return fractions.map((fraction) => {
    const rows = Math.min(n, Math.max(1, Math.ceil(fraction * n - 1e-9)));
    const caught = cumulative[rows]!;
    const capture = caught / positives;
    return {
      fraction,
      rows,
      positives: caught,
      capture,
      precision: caught / rows,
      lift: capture / (rows / n),
      threshold: scores[order[rows - 1]!]!,
    };
  });
}

/** The table as the stored curves: gains (y = capture) and lift, x = share of rows targeted. */
export function gainsCurves(table: readonly GainsRow[]): {
  gains: { x: number; y: number; threshold: number }[];
  lift: { x: number; y: number; threshold: number }[];
} {
  return {
    gains: table.map((r) => ({ x: r.fraction, y: r.capture, threshold: r.threshold })),
    lift: table.map((r) => ({ x: r.fraction, y: r.lift, threshold: r.threshold })),
  };
}

/** The headline metrics a gate can name: captureTop5, liftTop10, …  */
export function gainsMetrics(table: readonly GainsRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of table) {
    const percent = Math.round(row.fraction * 100);
    if (percent !== 5 && percent !== 10 && percent !== 20) continue;
    out[`captureTop${percent}`] = row.capture;
    out[`liftTop${percent}`] = row.lift;
  }
  return out;
}
