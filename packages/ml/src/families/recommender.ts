/**
 * Recommendation on (user, item) interactions.
 * - `mf`: r̂ = w·(p_u · q_i) + b_u + b_i + b (biased matrix factorisation, Koren, Bell & Volinsky 2009).
 * - `ncf`: an MLP over [p_u, q_i] (the MLP branch of neural collaborative filtering, He et al. 2017).
 * Explicit ratings train on squared error. Implicit feedback (clicks) trains a logistic model
 * of "interacted" with `negativeSamples` uniformly drawn items per positive (negative sampling,
 * as in He et al. 2017 §3.1). Id 0 of each embedding is reserved for unknown users/items;
 * inference never sends them to the model and falls back to popularity instead.
 */
import * as tf from '@tensorflow/tfjs';
import type { HyperparametersOf } from '../hyperparameters.ts';
import type { Random } from '../random.ts';
import type { RecommendationRow } from '@lathe/contract';
import { createLayersTrainable, glorot, loadLayersModel, regularizer } from './layers-family.ts';
import type { LayersSpec } from './layers-family.ts';
import { topK } from './top-k.ts';
import type { FamilyDefinition, Prediction, Recommendation, RecommendRequest } from './types.ts';

type Hp = HyperparametersOf<'mf' | 'ncf'>;
type Kind = 'mf' | 'ncf';
type RecPrep = {
  users: string[];
  items: string[];
  /** Interactions per item in the training split, aligned with `items`. */
  itemCounts: number[];
  /**
   * Per user (aligned with `users`), the indexes in `items` of what the user interacted with in
   * the training split: what a top-k list leaves out. Absent in bundles trained before it was kept.
   */
  seen?: number[][];
  implicit: boolean;
  globalMean: number;
};

class IdMaps {
  readonly user: Map<string, number>;
  readonly item: Map<string, number>;
  constructor(prep: RecPrep) {
    this.user = new Map(prep.users.map((u, i) => [u, i + 1]));
    this.item = new Map(prep.items.map((u, i) => [u, i + 1]));
  }
}

function spec(kind: Kind, prep: RecPrep, hp: Hp): LayersSpec {
  const ids = new IdMaps(prep);
  const nUsers = prep.users.length + 1;
  const nItems = prep.items.length + 1;
  return {
    build(seed) {
      const reg = regularizer(hp);
      const user = tf.input({ shape: [1], dtype: 'int32', name: 'user' });
      const item = tf.input({ shape: [1], dtype: 'int32', name: 'item' });
      const embed = (n: number, dim: number, s: number) =>
        tf.layers.embedding({
          inputDim: n,
          outputDim: dim,
          embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.05, seed: seed * 31 + s }),
          ...(reg ? { embeddingsRegularizer: reg } : {}),
        });
      const flat = (t: tf.SymbolicTensor) => tf.layers.flatten().apply(t) as tf.SymbolicTensor;
      const p = flat(embed(nUsers, hp.embeddingDim, 1).apply(user) as tf.SymbolicTensor);
      const q = flat(embed(nItems, hp.embeddingDim, 2).apply(item) as tf.SymbolicTensor);
      let score: tf.SymbolicTensor;
      if (kind === 'mf') {
        const dot = tf.layers.dot({ axes: 1 }).apply([p, q]) as tf.SymbolicTensor;
        const bu = flat(embed(nUsers, 1, 3).apply(user) as tf.SymbolicTensor);
        const bi = flat(embed(nItems, 1, 4).apply(item) as tf.SymbolicTensor);
        score = tf.layers.add().apply([dot, bu, bi]) as tf.SymbolicTensor;
      } else {
        score = tf.layers.concatenate().apply([p, q]) as tf.SymbolicTensor;
        (hp as HyperparametersOf<'ncf'>).hiddenUnits.forEach((units, i) => {
          score = tf.layers
            .dense({
              units,
              activation: 'relu',
              kernelInitializer: glorot(seed, i),
              ...(reg ? { kernelRegularizer: reg } : {}),
            })
            .apply(score) as tf.SymbolicTensor;
          if (hp.dropout > 0)
            score = tf.layers.dropout({ rate: hp.dropout }).apply(score) as tf.SymbolicTensor;
        });
      }
      const out = tf.layers
        .dense({
          units: 1,
          activation: prep.implicit ? 'sigmoid' : 'linear',
          kernelInitializer: kind === 'mf' ? 'ones' : glorot(seed, 50),
          biasInitializer: tf.initializers.constant({ value: prep.implicit ? 0 : prep.globalMean }),
        })
        .apply(score) as tf.SymbolicTensor;
      return tf.model({ inputs: [user, item], outputs: out });
    },
    encode(rows, random: Random) {
      const r = rows as RecommendationRow[];
      const negatives = prep.implicit ? hp.negativeSamples : 0;
      const n = r.length * (1 + negatives);
      const u = new Int32Array(n);
      const it = new Int32Array(n);
      const y = new Float32Array(n);
      let k = 0;
      for (const row of r) {
        const uid = ids.user.get(row.user) ?? 0;
        u[k] = uid;
        it[k] = ids.item.get(row.item) ?? 0;
        y[k++] = prep.implicit ? 1 : (row.rating ?? prep.globalMean);
        for (let j = 0; j < negatives; j++) {
          u[k] = uid;
          it[k] = 1 + Math.floor(random() * prep.items.length);
          y[k++] = 0;
        }
      }
      return {
        xs: [tf.tensor2d(u, [n, 1], 'int32'), tf.tensor2d(it, [n, 1], 'int32')],
        ys: tf.tensor2d(y, [n, 1]),
      };
    },
    loss: prep.implicit ? 'binaryCrossentropy' : 'meanSquaredError',
    metrics: prep.implicit
      ? [{ compile: 'binaryAccuracy', report: 'accuracy' }]
      : [{ compile: 'mse', report: 'rmse', transform: Math.sqrt }],
  };
}

/**
 * Biased MF's score of every item for a set of users in one matrix product instead of one
 * embedding lookup and dot product per (user, item) pair: act(w·(P_u·Qᵀ + b_u + b_i) + b),
 * the same function the layers compute (spec above), read from the trained weights.
 * Null when the model is not shaped like the MF spec; `dispose` frees the transposed item factors.
 */
function mfScorer(model: tf.LayersModel, implicit: boolean) {
  const fromInput = (layer: tf.layers.Layer) => (layer.input as tf.SymbolicTensor).sourceLayer.name;
  const embeddings = model.layers.filter((layer) => layer.getClassName() === 'Embedding');
  const find = (input: string, factors: boolean) =>
    embeddings.find((layer) => {
      const dim = layer.getWeights()[0]!.shape[1]!;
      return fromInput(layer) === input && dim > 1 === factors;
    });
  const p = find('user', true);
  const q = find('item', true);
  const bu = find('user', false);
  const bi = find('item', false);
  const out = model.layers[model.layers.length - 1];
  if (!p || !q || !bu || !bi || out?.getClassName() !== 'Dense' || embeddings.length !== 4) return null;
  const [kernel, bias] = out.getWeights() as [tf.Tensor, tf.Tensor];
  const userFactors = p.getWeights()[0]!;
  // Transposed once here: the matMul kernel would otherwise transpose Q (items × dim) in a scalar
  // loop on every call, which cost more than the product itself for a batch of one user.
  const itemFactorsT = tf.transpose(q.getWeights()[0]!) as tf.Tensor2D;
  const userBias = bu.getWeights()[0]!;
  const itemBias = bi.getWeights()[0]!.reshape([1, -1]);
  const score = (users: Int32Array): tf.Tensor2D =>
    tf.tidy(() => {
      const u = tf.tensor1d(users, 'int32');
      const raw = tf
        .matMul(tf.gather(userFactors, u), itemFactorsT)
        .add(tf.gather(userBias, u))
        .add(itemBias);
      const scored = raw.mul(kernel.reshape([])).add(bias.reshape([]));
      return (implicit ? tf.sigmoid(scored) : scored) as tf.Tensor2D;
    });
  return { score, dispose: () => itemFactorsT.dispose() };
}

export function recommender(kind: Kind): FamilyDefinition<RecPrep> {
  return {
    useCase: 'recommendation',
    async prepare(rows, metadata, hp) {
      const users = new Map<string, number>();
      const items = new Map<string, number>();
      const itemCounts: number[] = [];
      const seen: Array<Set<number>> = [];
      let sum = 0;
      let rated = 0;
      let anyRating = false;
      for await (const row of rows as AsyncIterable<RecommendationRow>) {
        let u = users.get(row.user);
        if (u === undefined) {
          u = users.size;
          users.set(row.user, u);
          seen.push(new Set());
        }
        let i = items.get(row.item);
        if (i === undefined) {
          i = items.size;
          items.set(row.item, i);
          itemCounts.push(0);
        }
        itemCounts[i]!++;
        seen[u]!.add(i);
        if (row.rating !== null && row.rating !== undefined) {
          anyRating = true;
          sum += row.rating;
          rated++;
        }
      }
      const implicit = (hp as Hp).implicit ?? metadata.implicit ?? !anyRating;
      return {
        users: [...users.keys()],
        items: [...items.keys()],
        itemCounts,
        seen: seen.map((s) => [...s].sort((a, b) => a - b)),
        implicit,
        globalMean: rated > 0 ? sum / rated : 0,
      } satisfies RecPrep;
    },
    create: (prep, hp, seed, files) => createLayersTrainable(spec(kind, prep, hp as Hp), hp, seed, files),
    signature(p) {
      return {
        useCase: 'recommendation',
        inputs: [
          {
            name: 'user',
            type: 'string',
            description: `one of ${p.users.length} known users; others fall back to popularity`,
          },
          { name: 'item', type: 'string', description: `one of ${p.items.length} known items` },
        ],
        outputs: [
          {
            name: 'score',
            type: 'number',
            description: p.implicit ? 'probability of interaction' : 'predicted rating',
          },
          {
            name: 'fallback',
            type: 'boolean',
            description: 'true when an unknown user or item made the model fall back',
          },
        ],
      };
    },
    async load(files, p) {
      const ids = new IdMaps(p);
      const model = await loadLayersModel(files);
      const scoreAll = kind === 'mf' ? mfScorer(model, p.implicit) : null;
      const maxCount = Math.max(1, ...p.itemCounts);
      // Popularity fallback: the share of the most popular item's interactions (implicit), or the global mean rating.
      const popularity = (itemIndex: number | undefined) =>
        p.implicit ? (itemIndex === undefined ? 0 : p.itemCounts[itemIndex - 1]! / maxCount) : p.globalMean;
      const byPopularity = p.items
        .map((item, i) => ({ item, index: i + 1, count: p.itemCounts[i]! }))
        .sort((a, b) => b.count - a.count);
      const allItems = Array.from(p.items, (_, i) => i + 1);

      /**
       * Many users' top-k lists from one model call: every (user, candidate) pair of the
       * requests of known users goes into the same tensors (chunked), then each request ranks
       * its own slice. A user the model never saw gets the popularity ranking.
       */
      async function recommendBatch(requests: RecommendRequest[]): Promise<Recommendation[]> {
        const plans = requests.map((request) => {
          const user = ids.user.get(request.user);
          // One flag per item id (0: unknown) instead of a Set: the pool is filtered in one typed pass.
          const excluded = new Uint8Array(p.items.length + 1);
          for (const item of request.exclude ?? []) {
            const index = ids.item.get(item);
            if (index !== undefined) excluded[index] = 1;
          }
          if (user !== undefined && request.excludeSeen)
            for (const index of p.seen?.[user - 1] ?? []) excluded[index + 1] = 1;
          // Items the model never saw cannot be ranked by it: a candidate list keeps the known ones.
          const pool = request.candidates
            ? [...new Set(request.candidates.map((item) => ids.item.get(item)))].filter(
                (index): index is number => index !== undefined,
              )
            : allItems;
          const items = new Int32Array(pool.length);
          let kept = 0;
          for (const index of pool) if (excluded[index] === 0) items[kept++] = index;
          return { request, user, items: items.subarray(0, kept) };
        });
        if (scoreAll) return rankAllScored(plans, scoreAll.score);
        const pairs = plans.reduce((n, plan) => n + (plan.user === undefined ? 0 : plan.items.length), 0);
        const users = new Int32Array(pairs);
        const items = new Int32Array(pairs);
        let at = 0;
        for (const plan of plans) {
          if (plan.user === undefined) continue;
          users.fill(plan.user, at, at + plan.items.length);
          items.set(plan.items, at);
          at += plan.items.length;
        }
        const scores = new Float32Array(pairs);
        for (let start = 0; start < pairs; start += 65_536) {
          const end = Math.min(pairs, start + 65_536);
          const u = tf.tensor2d(users.subarray(start, end), [end - start, 1], 'int32');
          const i = tf.tensor2d(items.subarray(start, end), [end - start, 1], 'int32');
          const y = model.predict([u, i]) as tf.Tensor;
          scores.set(await y.data(), start);
          tf.dispose([u, i, y]);
        }
        at = 0;
        return plans.map(({ request, user, items: pool }) => {
          if (user === undefined) return popular(request.k, pool);
          const own = scores.subarray(at, at + pool.length);
          at += pool.length;
          return ranked(request.k, pool, (j) => own[j]!);
        });
      }

      function popular(k: number, pool: Int32Array): Recommendation {
        const allowed = new Set(pool);
        return {
          basis: 'popularity',
          items: byPopularity
            .filter((x) => allowed.has(x.index))
            .slice(0, Math.max(0, k))
            .map((x) => ({ item: x.item, score: x.count / maxCount })),
        };
      }

      /** The k best of the pool by `score` (top-k.ts: a heap of k, not a sort of the whole pool). */
      function ranked(k: number, pool: Int32Array, score: (j: number) => number): Recommendation {
        return {
          basis: 'model',
          items: Array.from(topK(pool.length, k, score), (j) => ({
            item: p.items[pool[j]! - 1]!,
            score: score(j),
          })),
        };
      }

      /** MF: one matrix product scores every item for each distinct known user of the batch. */
      async function rankAllScored(
        plans: Array<{ request: RecommendRequest; user: number | undefined; items: Int32Array }>,
        score: (users: Int32Array) => tf.Tensor2D,
      ): Promise<Recommendation[]> {
        const users = [...new Set(plans.flatMap((plan) => (plan.user === undefined ? [] : [plan.user])))];
        const rowOf = new Map(users.map((user, row) => [user, row]));
        const matrix = users.length > 0 ? score(Int32Array.from(users)) : null;
        const values = matrix ? await matrix.data() : new Float32Array(0);
        matrix?.dispose();
        // A row per user has a column per item id, 0 (unknown) included.
        const width = p.items.length + 1;
        return plans.map(({ request, user, items: pool }) => {
          if (user === undefined) return popular(request.k, pool);
          const offset = rowOf.get(user)! * width;
          return ranked(request.k, pool, (j) => values[offset + pool[j]!]!);
        });
      }

      return {
        async predict(rows) {
          const r = rows as { user: string; item: string }[];
          const results: Prediction[] = r.map(() => ({}));
          const known: number[] = [];
          r.forEach((row, k) => {
            const u = ids.user.get(String(row?.user));
            const i = ids.item.get(String(row?.item));
            if (u === undefined || i === undefined) results[k] = { score: popularity(i), fallback: true };
            else known.push(k);
          });
          if (known.length > 0) {
            const u = tf.tensor2d(
              Int32Array.from(known, (k) => ids.user.get(r[k]!.user)!),
              [known.length, 1],
              'int32',
            );
            const i = tf.tensor2d(
              Int32Array.from(known, (k) => ids.item.get(r[k]!.item)!),
              [known.length, 1],
              'int32',
            );
            const y = model.predict([u, i]) as tf.Tensor;
            const values = await y.data();
            tf.dispose([u, i, y]);
            known.forEach((k, j) => (results[k] = { score: values[j]!, fallback: false }));
          }
          return results;
        },
        async recommend(user, k, options = {}) {
          const [list] = await recommendBatch([{ user, k, ...options }]);
          return list!.items.map((x) => ({ ...x, fallback: list!.basis === 'popularity' }));
        },
        recommendBatch,
        dispose: () => {
          scoreAll?.dispose();
          model.dispose();
        },
      };
    },
  };
}
