/**
 * Seeded synthetic datasets with known structure, for tests and benchmarks.
 * The interaction generator follows the documented latent-factor recipe: users and items
 * belong to one of `clusters` taste groups; a user's clicks come from their own group with
 * probability `affinity`, otherwise from any item, each pick weighted by item popularity
 * (Zipf-like), so popularity alone is a real but beatable baseline.
 */
import type { ImageRow, RecommendationRow, TabularRow, TextRow } from '@lathe/contract';
import { seededRandom } from '../random.ts';
import type { TrainOptions } from '../training/train.ts';

export async function* fromArray<T>(rows: T[]): AsyncGenerator<T> {
  for (const row of rows) yield row;
}

export function syntheticImages(n: number, seed: number, size = 8): ImageRow[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const label = Math.floor(r() * 3);
    const pixels = new Uint8Array(size * size);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const on = label === 0 ? x < size / 2 : label === 1 ? y < size / 2 : Math.abs(x - y) <= 1;
        pixels[y * size + x] = Math.min(255, Math.round((on ? 180 : 30) + r() * 60));
      }
    return { label: String(label), pixels };
  });
}

const POSITIVE = ['great', 'excellent', 'love', 'fine', 'happy', 'superb', 'good'];
const NEGATIVE = ['awful', 'terrible', 'hate', 'broken', 'sad', 'poor', 'bad'];
const NEUTRAL = ['the', 'product', 'it', 'was', 'and', 'item', 'delivery', 'a', 'this'];

/**
 * The small CNN the explanation and robustness tests train on `syntheticImages` (8×8, three
 * shapes): a few seconds on wasm, accurate enough that attributions and attacks mean something.
 */
export function smallImageClassifier(rows: ImageRow[] = syntheticImages(300, 1)): TrainOptions {
  return {
    family: 'cnn',
    hyperparameters: { epochs: 3, batchSize: 32, depth: 1, width: 4, hiddenUnits: 16, learningRate: 0.01 },
    seed: 1,
    dataset: { useCase: 'image', imageShape: { width: 8, height: 8, channels: 1 } },
    trainRows: () => fromArray(rows),
  };
}

export function syntheticText(n: number, seed: number): TextRow[] {
  const r = seededRandom(seed);
  const pick = (words: string[]) => words[Math.floor(r() * words.length)]!;
  return Array.from({ length: n }, () => {
    const positive = r() < 0.5;
    const words = Array.from({ length: 4 + Math.floor(r() * 6) }, () =>
      r() < 0.35 ? pick(positive ? POSITIVE : NEGATIVE) : pick(NEUTRAL),
    );
    return { text: words.join(' '), label: positive ? 'pos' : 'neg' };
  });
}

export function syntheticTabular(n: number, seed: number): TabularRow[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const tenure = r() * 48;
    const spend = 20 + r() * 100;
    const plan = ['basic', 'plus', 'pro'][Math.floor(r() * 3)]!;
    const score =
      -0.08 * tenure + 0.02 * spend + (plan === 'basic' ? 1.2 : plan === 'pro' ? -1.2 : 0) + (r() - 0.5);
    return {
      features: { tenure, spend, plan, region: r() < 0.1 ? null : `r${Math.floor(r() * 5)}` },
      target: score > 0 ? 'churn' : 'stay',
    };
  });
}

export interface Interactions {
  train: RecommendationRow[];
  test: RecommendationRow[];
  userCluster: Map<string, number>;
  itemCluster: Map<string, number>;
}

export function syntheticInteractions(options: {
  users: number;
  items: number;
  clusters: number;
  perUser: number;
  affinity?: number;
  seed: number;
}): Interactions {
  const r = seededRandom(options.seed);
  const affinity = options.affinity ?? 0.85;
  const itemCluster = new Map<string, number>();
  const weight: number[] = [];
  const byCluster: number[][] = Array.from({ length: options.clusters }, () => []);
  for (let i = 0; i < options.items; i++) {
    const c = i % options.clusters;
    itemCluster.set(`i${i}`, c);
    byCluster[c]!.push(i);
    weight.push(1 / (1 + Math.floor(i / options.clusters)) ** 0.6); // popularity decays with rank inside each cluster
  }
  const draw = (pool: number[]) => {
    const total = pool.reduce((a, i) => a + weight[i]!, 0);
    let x = r() * total;
    for (const i of pool) if ((x -= weight[i]!) <= 0) return i;
    return pool[pool.length - 1]!;
  };
  const all = Array.from({ length: options.items }, (_, i) => i);
  const userCluster = new Map<string, number>();
  const train: RecommendationRow[] = [];
  const test: RecommendationRow[] = [];
  for (let u = 0; u < options.users; u++) {
    const c = Math.floor(r() * options.clusters);
    userCluster.set(`u${u}`, c);
    const seen = new Set<number>();
    for (let k = 0; k < options.perUser; k++) {
      let item = draw(r() < affinity ? byCluster[c]! : all);
      for (let tries = 0; seen.has(item) && tries < 10; tries++)
        item = draw(r() < affinity ? byCluster[c]! : all);
      if (seen.has(item)) continue;
      seen.add(item);
      (k % 5 === 4 ? test : train).push({ user: `u${u}`, item: `i${item}`, rating: null, timestamp: null });
    }
  }
  return { train, test, userCluster, itemCluster };
}
