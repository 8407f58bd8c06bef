/**
 * Permutation importance (Breiman 2001; model-agnostic form: Fisher, Rudin & Dominici 2019): a
 * feature's importance is how much the model's score drops when that feature's values are
 * shuffled across the evaluation rows, breaking its link to the target while keeping its
 * distribution. Repeated with seeded shuffles, so each importance comes with its spread: the
 * mean, the standard deviation and the 2.5–97.5 % range of the repeats (scikit-learn's
 * `permutation_importance` reports the same mean and standard deviation).
 * Cost: 1 + features × repeats scorings of the rows.
 */
import type { Random } from '../random.ts';
import { seededRandom, shuffleInPlace, deriveSeed } from '../random.ts';

export interface FeatureImportance {
  feature: string;
  /** Mean drop in score when the feature is permuted (positive: the model relies on it). */
  mean: number;
  std: number;
  low: number;
  high: number;
  repeats: number;
}

export interface PermutationImportanceOptions<Row> {
  rows: Row[];
  features: string[];
  /** The model's score on rows (accuracy, AUC…); `higherIsBetter` says its direction. */
  score(rows: Row[]): Promise<number>;
  /** Rows with `feature`'s values replaced by `values` (in row order). */
  withFeature(rows: Row[], feature: string, values: unknown[]): Row[];
  /** The feature's values, in row order. */
  valuesOf(rows: Row[], feature: string): unknown[];
  repeats?: number;
  seed?: number;
  higherIsBetter?: boolean;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export async function permutationImportance<Row>(
  options: PermutationImportanceOptions<Row>,
): Promise<{ baseline: number; importances: FeatureImportance[] }> {
  const repeats = options.repeats ?? 10;
  const sign = options.higherIsBetter === false ? -1 : 1;
  const baseline = await options.score(options.rows);
  const importances: FeatureImportance[] = [];
  for (const [f, feature] of options.features.entries()) {
    const original = options.valuesOf(options.rows, feature);
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const random: Random = seededRandom(deriveSeed(options.seed ?? 0, f, r));
      const shuffled = shuffleInPlace([...original], random);
      drops.push(
        sign * (baseline - (await options.score(options.withFeature(options.rows, feature, shuffled)))),
      );
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const std = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, repeats - 1));
    const sorted = [...drops].sort((a, b) => a - b);
    importances.push({
      feature,
      mean,
      std,
      low: quantile(sorted, 0.025),
      high: quantile(sorted, 0.975),
      repeats,
    });
  }
  importances.sort((a, b) => b.mean - a.mean);
  return { baseline, importances };
}
