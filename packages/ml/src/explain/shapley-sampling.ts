/**
 * Per-prediction feature attributions for any model that predicts rows: Shapley values
 * estimated by sampling feature orderings (Štrumbelj & Kononenko 2014, "Explaining prediction
 * models and individual predictions with feature contributions"). For each sampled ordering the
 * features move one by one from the baseline row to the explained row, and each is credited
 * with the change of the explained class's probability at its step. The contributions of every
 * ordering sum to f(x) − f(baseline) exactly, so their average does too (efficiency).
 * Cost bound: `orderings` × (features + 1) rows, predicted in one batch.
 */
import type { Prediction } from '../families/types.ts';
import { deriveSeed, seededRandom, shuffleInPlace } from '../random.ts';

export interface TabularInstance {
  features: Record<string, number | string | null>;
}

export interface FeatureContribution {
  feature: string;
  contribution: number;
}

export interface PredictionExplanation {
  /** The class whose probability is explained (the instance's predicted label unless asked). */
  label: string;
  probability: number;
  baselineProbability: number;
  contributions: FeatureContribution[];
  /** Rows the model predicted for this explanation (the cost). */
  evaluations: number;
}

export async function explainTabularPrediction(options: {
  predict(rows: TabularInstance[]): Promise<Prediction[]>;
  instance: TabularInstance;
  baseline: TabularInstance;
  label?: string;
  orderings?: number;
  seed?: number;
}): Promise<PredictionExplanation> {
  const orderings = options.orderings ?? 16;
  const features = Object.keys(options.instance.features);
  const rows: TabularInstance[] = [];
  const plans: string[][] = [];
  for (let o = 0; o < orderings; o++) {
    const order = shuffleInPlace([...features], seededRandom(deriveSeed(options.seed ?? 0, o)));
    plans.push(order);
    const current = { ...options.baseline.features };
    rows.push({ features: { ...current } });
    for (const feature of order) {
      current[feature] = options.instance.features[feature] ?? null;
      rows.push({ features: { ...current } });
    }
  }
  const predictions = await options.predict(rows);
  // Row `features.length` (the end of the first ordering) is the instance itself.
  const label = options.label ?? predictions[features.length]?.label ?? '';
  if (predictions[0]?.probabilities?.[label] === undefined)
    throw new Error(`explain: the model gives no probability for label ${JSON.stringify(label)}`);
  const p = (i: number) => predictions[i]?.probabilities?.[label] ?? 0;
  const totals = new Map(features.map((f) => [f, 0]));
  plans.forEach((order, o) => {
    const start = o * (features.length + 1);
    order.forEach((feature, step) => {
      totals.set(feature, totals.get(feature)! + p(start + step + 1) - p(start + step));
    });
  });
  const contributions = features
    .map((feature) => ({ feature, contribution: totals.get(feature)! / orderings }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return {
    label,
    probability: p(features.length),
    baselineProbability: p(0),
    contributions,
    evaluations: rows.length,
  };
}
