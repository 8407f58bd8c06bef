/**
 * Scores a loaded model on a dataset's test split, per use case, in batches (bounded tensors;
 * only labels and scores are kept, 100k rows × 10 classes is 8 MB):
 *   - classification (image, nlp, tabular): every classification metric, curves, per-class and
 *     (for text) per-length slices;
 *   - recommendation: ranking metrics at k = 10 for users of the test split, against the
 *     most-popular baseline, with per-activity slices;
 *   - generative: the classifier two-sample test of generated against real test images
 *     (score-generative.ts, Lopez-Paz & Oquab 2017), seeded by the evaluation's seed.
 */
import type { OpenedDataset } from '@lathe/contract';
import {
  type LoadedModel,
  bucketOf,
  computeSlices,
  evaluateClassification,
  evaluateRanking,
  popularityRanking,
  type EvaluationSummary,
  type RankedUser,
  type Slice,
  type TrivialBaseline,
  trivialBaselineOf,
} from '@lathe/ml';
import { scoreGenerative } from './score-generative.ts';

export interface ModelScore {
  summary: EvaluationSummary | null;
  slices: Slice[];
  note?: string;
  /** Classifiers: the constant model of the same split, which the gate requires them to beat. */
  trivial?: TrivialBaseline;
}

const BATCH = 256;
const TEXT_LENGTH_EDGES = [10, 30, 100];
const ACTIVITY_EDGES = [5, 20, 100];
const MAX_RANKED_USERS = 5_000;

/** `seed`: the evaluation's randomness (generated images, the two-sample test); 0 if unset. */
export async function scoreModel(
  model: LoadedModel,
  dataset: OpenedDataset,
  useCase: string,
  options: { seed?: number } = {},
): Promise<ModelScore> {
  if (useCase === 'recommendation') return scoreRanking(model, dataset);
  if (useCase === 'generative')
    return { ...(await scoreGenerative(model, dataset, options.seed ?? 0)), slices: [] };
  return scoreClassification(model, dataset, useCase);
}

async function scoreClassification(
  model: LoadedModel,
  dataset: OpenedDataset,
  useCase: string,
): Promise<ModelScore> {
  const labels = model.signature.labels ?? dataset.metadata.labels ?? [];
  const index = new Map(labels.map((label, i) => [label, i]));
  const numClasses = labels.length;
  const yTrue: number[] = [];
  const scores: number[] = [];
  const textLengths: number[] = [];
  let batch: unknown[] = [];
  const flush = async () => {
    const predictions = await model.predict(batch);
    predictions.forEach((prediction, i) => {
      const row = batch[i] as { label?: string | number; target?: string | number; text?: string };
      const truth = index.get(String(row.label ?? row.target));
      if (truth === undefined) return; // a label the model never saw: cannot be scored
      yTrue.push(truth);
      const probabilities = prediction.probabilities ?? {};
      if (numClasses === 2) scores.push(probabilities[labels[1]!] ?? 0);
      else for (const label of labels) scores.push(probabilities[label] ?? 0);
      if (useCase === 'nlp') textLengths.push((row.text ?? '').split(/\s+/).filter(Boolean).length);
    });
    batch = [];
  };
  for await (const row of dataset.rows('test')) {
    batch.push(row);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  if (yTrue.length === 0) return { summary: null, slices: [], note: 'the test split has no scorable rows' };

  // The model's own decision threshold (moved for an imbalanced target at training), so accuracy,
  // precision and recall describe the labels the model actually returns.
  const threshold = model.signature.decisionThreshold ?? 0.5;
  const summary = evaluateClassification({ numClasses, yTrue, scores }, { classNames: labels, threshold });
  const width = numClasses === 2 ? 1 : numClasses;
  const rows = yTrue.map((label, i) => ({
    label,
    scores: scores.slice(i * width, (i + 1) * width),
    length: textLengths[i] ?? 0,
  }));
  const accuracyOf = (group: typeof rows) => {
    const correct = group.filter(
      (r) => (width === 1 ? Number(r.scores[0]! > threshold) : argmax(r.scores)) === r.label,
    ).length;
    return { accuracy: correct / group.length };
  };
  const slices = [
    ...computeSlices(rows, (r) => `class=${labels[r.label]}`, accuracyOf, {
      segments: labels.map((l) => `class=${l}`),
    }),
    ...(useCase === 'nlp'
      ? computeSlices(rows, (r) => `words ${bucketOf(r.length, TEXT_LENGTH_EDGES)}`, accuracyOf)
      : []),
  ];
  return { summary, slices, trivial: trivialBaselineOf(yTrue, labels, threshold !== 0.5) };
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

interface Interaction {
  user: string;
  item: string;
  rating: number | null;
}

async function scoreRanking(model: LoadedModel, dataset: OpenedDataset): Promise<ModelScore> {
  const seen = new Map<string, Set<string>>();
  const trainInteractions: Array<{ itemId: string }> = [];
  const items = new Set<string>();
  for await (const raw of dataset.rows('train')) {
    const row = raw as Interaction;
    if (!seen.has(row.user)) seen.set(row.user, new Set());
    seen.get(row.user)!.add(row.item);
    trainInteractions.push({ itemId: row.item });
    items.add(row.item);
  }
  const relevant = new Map<string, Map<string, number>>();
  for await (const raw of dataset.rows('test')) {
    const row = raw as Interaction;
    items.add(row.item);
    if (!relevant.has(row.user)) relevant.set(row.user, new Map());
    // Graded relevance: the rating when there is one (NDCG's gain), 1 for implicit feedback.
    relevant.get(row.user)!.set(row.item, row.rating ?? 1);
  }
  const users: RankedUser[] = [];
  for (const [user, relevantItems] of [...relevant].slice(0, MAX_RANKED_USERS)) {
    const recommended = await model.recommend(user, 10, { exclude: [...(seen.get(user) ?? [])] });
    users.push({ userId: user, recommended: recommended.map((r) => r.item), relevant: relevantItems });
  }
  if (users.length === 0) return { summary: null, slices: [], note: 'the test split has no users' };
  const summary = evaluateRanking({
    users,
    ks: [10],
    catalogueSize: items.size,
    popularity: { ranking: popularityRanking(trainInteractions), seen: (u) => seen.get(String(u.userId)) },
  });
  const slices = computeSlices(
    users,
    (u) => `activity ${bucketOf(seen.get(String(u.userId))?.size ?? 0, ACTIVITY_EDGES)}`,
    (group) => {
      const s = evaluateRanking({ users: group, ks: [10], catalogueSize: items.size });
      return { metrics: s.metrics, undefinedMetrics: s.undefinedMetrics };
    },
  );
  return { summary, slices };
}
