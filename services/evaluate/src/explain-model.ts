/**
 * Global explanations of an evaluated model on (a sample of) its test split, stored with the
 * evaluation: permutation importance with its spread over seeded repeats (@lathe/ml
 * permutationImportance), scored by accuracy.
 *   - tabular: each feature's values shuffled across rows;
 *   - text: for the most frequent tokens, the token's presence shuffled across rows (removed
 *     from the texts that lose it, appended to those that gain it);
 *   - images: integrated gradients from a black image (@lathe/ml explainImagePrediction) of
 *     each class's probability, averaged over up to IMAGES_PER_CLASS test images of that class
 *     into one height × width map per class. Cost: classes × IMAGES_PER_CLASS × (IMAGE_STEPS + 2)
 *     images through the model, with gradients for IMAGE_STEPS of each;
 *   - recommendation and generative models: not computed here (null).
 * Cost (tabular, text): 1 + items × repeats scorings of at most MAX_ROWS rows.
 */
import type { ImageRow, OpenedDataset, TabularRow, TextRow } from '@lathe/contract';
import {
  type FeatureImportance,
  type LoadedModel,
  explainImagePrediction,
  permutationImportance,
  tokenize,
} from '@lathe/ml';

export type GlobalExplanation = PermutationImportanceExplanation | PixelAttributionExplanation;

export interface PermutationImportanceExplanation {
  method: 'permutation_importance';
  over: 'features' | 'tokens';
  metric: 'accuracy';
  rows: number;
  repeats: number;
  baseline: number;
  importances: FeatureImportance[];
}

export interface PixelAttributionExplanation {
  method: 'integrated_gradients';
  over: 'pixels';
  baseline: 'black';
  rows: number;
  steps: number;
  shape: { width: number; height: number; channels: number };
  classes: { label: string; images: number; map: number[] }[];
}

const MAX_ROWS = 1000;
const REPEATS = 5;
const TOP_TOKENS = 20;
export const IMAGES_PER_CLASS = 16;
export const IMAGE_STEPS = 16;

/** Per class, the mean integrated-gradients map of its own probability over its test images. */
async function classAttributionMaps(
  model: LoadedModel,
  dataset: OpenedDataset,
): Promise<PixelAttributionExplanation | null> {
  const classifier = model.differentiable;
  const shape = dataset.metadata.imageShape;
  if (!classifier || !shape) return null;
  const byClass = new Map<string, ImageRow[]>(classifier.labels.map((l) => [l, []]));
  let seen = 0;
  for await (const row of dataset.rows('test')) {
    const image = row as ImageRow;
    const images = byClass.get(image.label);
    if (images && images.length < IMAGES_PER_CLASS) images.push(image);
    if (++seen >= MAX_ROWS) break;
  }
  const classes: PixelAttributionExplanation['classes'] = [];
  for (const [label, images] of byClass) {
    if (images.length === 0) continue;
    const map = new Array<number>(shape.height * shape.width).fill(0);
    for (const image of images) {
      const attribution = await explainImagePrediction({
        classifier,
        pixels: image.pixels,
        shape,
        label,
        steps: IMAGE_STEPS,
      });
      attribution.map.forEach((v, i) => (map[i]! += v / images.length));
    }
    classes.push({ label, images: images.length, map });
  }
  if (classes.length === 0) return null;
  return {
    method: 'integrated_gradients',
    over: 'pixels',
    baseline: 'black',
    rows: classes.reduce((n, c) => n + c.images, 0),
    steps: IMAGE_STEPS,
    shape,
    classes,
  };
}

async function sample<T>(dataset: OpenedDataset): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of dataset.rows('test')) {
    rows.push(row as T);
    if (rows.length >= MAX_ROWS) break;
  }
  return rows;
}

function accuracyOf(model: LoadedModel) {
  return async <R extends { label?: string; target?: string | number }>(rows: R[]) => {
    const predictions = await model.predict(rows);
    return (
      predictions.filter((p, i) => p.label === String(rows[i]!.label ?? rows[i]!.target)).length / rows.length
    );
  };
}

export async function explainModel(
  model: LoadedModel,
  dataset: OpenedDataset,
  useCase: string,
  seed: number,
): Promise<GlobalExplanation | null> {
  if (useCase === 'tabular') {
    const rows = await sample<TabularRow>(dataset);
    if (rows.length === 0) return null;
    const features = [...new Set(rows.flatMap((r) => Object.keys(r.features)))].sort();
    const result = await permutationImportance({
      rows,
      features,
      score: accuracyOf(model),
      valuesOf: (batch, feature) => batch.map((r) => r.features[feature] ?? null),
      withFeature: (batch, feature, values) =>
        batch.map((r, i) => ({
          ...r,
          features: { ...r.features, [feature]: values[i] as number | string | null },
        })),
      repeats: REPEATS,
      seed,
    });
    return {
      method: 'permutation_importance',
      over: 'features',
      metric: 'accuracy',
      rows: rows.length,
      repeats: REPEATS,
      ...result,
    };
  }
  if (useCase === 'nlp') {
    const rows = await sample<TextRow>(dataset);
    if (rows.length === 0) return null;
    const tokenized = rows.map((r) => tokenize(r.text));
    const frequency = new Map<string, number>();
    for (const tokens of tokenized)
      for (const t of new Set(tokens)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
    const tokens = [...frequency.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, TOP_TOKENS)
      .map(([t]) => t);
    const result = await permutationImportance({
      rows: rows.map((r, i) => ({ ...r, tokens: tokenized[i]! })),
      features: tokens,
      score: async (batch) =>
        accuracyOf(model)(batch.map((r) => ({ text: r.tokens.join(' '), label: r.label }))),
      valuesOf: (batch, token) => batch.map((r) => r.tokens.includes(token)),
      withFeature: (batch, token, values) =>
        batch.map((r, i) => {
          const has = r.tokens.includes(token);
          if (values[i] === has) return r;
          return { ...r, tokens: values[i] ? [...r.tokens, token] : r.tokens.filter((t) => t !== token) };
        }),
      repeats: REPEATS,
      seed,
    });
    return {
      method: 'permutation_importance',
      over: 'tokens',
      metric: 'accuracy',
      rows: rows.length,
      repeats: REPEATS,
      ...result,
    };
  }
  if (useCase === 'image') return classAttributionMaps(model, dataset);
  return null;
}
