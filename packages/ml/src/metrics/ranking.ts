/**
 * Top-k ranking metrics for recommendation. For each user: the ranked list the model recommends
 * and the items that user actually interacted with in the held-out split, with a graded relevance
 * (gain) where the data has one (a rating), else 1.
 *
 * Conventions (stated because libraries differ):
 * - Only the first k recommendations count; an item repeated in the list counts once, at its
 *   first position (as ml_metrics.apk).
 * - precision@k divides by k even when fewer than k items were recommended (missing slots are
 *   misses), as Microsoft Recommenders' precision_at_k.
 * - An item is relevant when its gain is > 0.
 * - A user with no relevant item has no recall, AP or NDCG: `rankingMetrics` leaves such users out
 *   of every mean and counts them (`usersWithoutRelevant`), rather than scoring them 0.
 */
import type { MetricValue } from './metric-value.ts';
import { isUndefinedMetric, undefinedMetric } from './metric-value.ts';
import { assertFinite, assertPositiveInteger } from './inputs.ts';
import { ValidationError } from '@lathe/core';

export type ItemId = string | number;

/** Relevant items of one user: a list (gain 1 each) or item → gain (graded relevance). */
export type Relevance = readonly ItemId[] | ReadonlyMap<ItemId, number>;

export interface RankedUser {
  readonly userId?: string | number;
  readonly recommended: readonly ItemId[];
  readonly relevant: Relevance;
}

function gains(relevant: Relevance): ReadonlyMap<ItemId, number> {
  if (relevant instanceof Map) {
    for (const [item, gain] of relevant) {
      if (!Number.isFinite(gain) || gain < 0)
        throw new ValidationError(
          `relevance of item ${String(item)} is ${gain}; gains must be finite and ≥ 0`,
        );
    }
    return relevant;
  }
  return new Map((relevant as readonly ItemId[]).map((item) => [item, 1]));
}

/** The first k distinct recommended items, in order. */
function topK(recommended: readonly ItemId[], k: number): ItemId[] {
  assertPositiveInteger(k, 'k');
  const seen = new Set<ItemId>();
  const out: ItemId[] = [];
  for (const item of recommended) {
    if (out.length === k) break;
    if (seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out;
}

function relevantCount(g: ReadonlyMap<ItemId, number>): number {
  let n = 0;
  for (const gain of g.values()) if (gain > 0) n++;
  return n;
}

function hitsAtK(recommended: readonly ItemId[], g: ReadonlyMap<ItemId, number>, k: number): number {
  return topK(recommended, k).filter((item) => (g.get(item) ?? 0) > 0).length;
}

function noRelevant(metric: string): MetricValue {
  return undefinedMetric('no_relevant_items', `${metric} is undefined for a user with no relevant item`);
}

/** |relevant ∩ top-k| / k. */
export function precisionAtK(recommended: readonly ItemId[], relevant: Relevance, k: number): number {
  return hitsAtK(recommended, gains(relevant), k) / k;
}

/** |relevant ∩ top-k| / |relevant|. */
export function recallAtK(recommended: readonly ItemId[], relevant: Relevance, k: number): MetricValue {
  const g = gains(relevant);
  const n = relevantCount(g);
  return n === 0 ? noRelevant(`recall@${k}`) : hitsAtK(recommended, g, k) / n;
}

/** 1 when at least one of the top k is relevant, else 0 (its mean over users is the hit rate). */
export function hitAtK(recommended: readonly ItemId[], relevant: Relevance, k: number): number {
  return hitsAtK(recommended, gains(relevant), k) > 0 ? 1 : 0;
}

/**
 * Average precision at k, as ml_metrics.apk (Ben Hamner's Kaggle metrics, also recmetrics):
 * AP@k = (1 / min(|relevant|, k)) Σ_{i ≤ k, item_i relevant} precision@i. scikit-learn has no
 * ranking MAP@k; the reference values come from a transcription of apk in generate.py.
 * ml_metrics returns 0 for a user with no relevant item; here that is undefined (see above).
 */
export function averagePrecisionAtK(
  recommended: readonly ItemId[],
  relevant: Relevance,
  k: number,
): MetricValue {
  const g = gains(relevant);
  const n = relevantCount(g);
  if (n === 0) return noRelevant(`AP@${k}`);
  let hits = 0;
  let sum = 0;
  topK(recommended, k).forEach((item, i) => {
    if ((g.get(item) ?? 0) > 0) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return sum / Math.min(n, k);
}

/** log2 discount of sklearn's _dcg_sample_scores: 1 / log2(rank + 1), rank from 1. */
function discount(position: number): number {
  return 1 / (Math.log(position + 2) / Math.LN2);
}

/**
 * NDCG@k of one ranked list with graded relevance, the definition of sklearn.metrics.ndcg_score:
 * DCG@k = Σ_{i<k} gain(item_i) / log2(i + 2) with LINEAR gains (not 2^rel − 1), divided by the DCG
 * of the ideal order of this user's gains. Equals ndcg_score on the dense (items × score) matrix
 * when the list has at least k items (no ties).
 */
export function ndcgAtK(recommended: readonly ItemId[], relevant: Relevance, k: number): MetricValue {
  const g = gains(relevant);
  const ideal = [...g.values()].sort((a, b) => b - a).slice(0, k);
  let idcg = 0;
  ideal.forEach((gain, i) => (idcg += gain * discount(i)));
  if (idcg === 0) return noRelevant(`NDCG@${k}`);
  let dcg = 0;
  topK(recommended, k).forEach((item, i) => (dcg += (g.get(item) ?? 0) * discount(i)));
  return dcg / idcg;
}

/**
 * sklearn.metrics.ndcg_score(y_true, y_score, k, ignore_ties=False), exactly: per row, items are
 * ranked by score; tied scores share the mean gain of their group spread over the group's
 * positions (McSherry & Najork 2008), which is what `_tie_averaged_dcg` does; a row whose ideal DCG
 * is 0 scores 0 and still counts in the mean (sklearn's choice). Rows are users, columns items.
 */
export function ndcgScore(
  yTrue: readonly (readonly number[])[],
  yScore: readonly (readonly number[])[],
  k?: number,
): MetricValue {
  if (yTrue.length !== yScore.length)
    throw new ValidationError(`y_true has ${yTrue.length} rows but y_score has ${yScore.length}`);
  if (yTrue.length === 0) return undefinedMetric('empty_input', 'NDCG is undefined on 0 rows');
  if (k !== undefined) assertPositiveInteger(k, 'k');
  let total = 0;
  yTrue.forEach((trueRow, r) => {
    const scoreRow = yScore[r]!;
    if (scoreRow.length !== trueRow.length)
      throw new ValidationError(
        `row ${r}: y_true has ${trueRow.length} items but y_score has ${scoreRow.length}`,
      );
    if (trueRow.length < 2)
      throw new ValidationError(
        'NDCG is only meaningful with more than 1 item per row (sklearn refuses it too)',
      );
    assertFinite(trueRow, `y_true[${r}]`);
    assertFinite(scoreRow, `y_score[${r}]`);
    const n = trueRow.length;
    const cut = k ?? n;
    const cumulative = new Float64Array(n);
    for (let i = 0, acc = 0; i < n; i++) cumulative[i] = acc += i < cut ? discount(i) : 0;
    // Tie-averaged DCG: groups of equal score, by decreasing score.
    const order = [...trueRow.keys()].sort((a, b) => scoreRow[b]! - scoreRow[a]!);
    let dcg = 0;
    let start = 0;
    while (start < n) {
      let end = start;
      let gainSum = 0;
      while (end < n && scoreRow[order[end]!] === scoreRow[order[start]!]) gainSum += trueRow[order[end++]!]!;
      const discountSum = cumulative[end - 1]! - (start === 0 ? 0 : cumulative[start - 1]!);
      dcg += (gainSum / (end - start)) * discountSum;
      start = end;
    }
    const ideal = [...trueRow].sort((a, b) => b - a);
    let idcg = 0;
    for (let i = 0; i < Math.min(cut, n); i++) idcg += ideal[i]! * discount(i);
    total += idcg === 0 ? 0 : dcg / idcg;
  });
  return total / yTrue.length;
}

/** Fraction of the catalogue that appears in at least one user's top k (catalogue coverage). */
export function catalogueCoverage(
  lists: readonly (readonly ItemId[])[],
  catalogueSize: number,
  k: number,
): MetricValue {
  if (catalogueSize === 0)
    return undefinedMetric('empty_input', 'coverage is undefined for an empty catalogue');
  assertPositiveInteger(catalogueSize, 'catalogueSize');
  const shown = new Set<ItemId>();
  for (const list of lists) for (const item of topK(list, k)) shown.add(item);
  return shown.size / catalogueSize;
}

export interface RankingMetrics {
  readonly k: number;
  readonly users: number;
  /** Users with at least one relevant item: the denominator of every mean below. */
  readonly usersEvaluated: number;
  readonly usersWithoutRelevant: number;
  readonly precisionAtK: MetricValue;
  readonly recallAtK: MetricValue;
  readonly hitRateAtK: MetricValue;
  readonly mapAtK: MetricValue;
  readonly ndcgAtK: MetricValue;
}

/** Means of the per-user metrics over the users that have at least one relevant item. */
export function rankingMetrics(users: readonly RankedUser[], k: number): RankingMetrics {
  assertPositiveInteger(k, 'k');
  let evaluated = 0;
  let precision = 0;
  let recall = 0;
  let hit = 0;
  let ap = 0;
  let ndcg = 0;
  for (const user of users) {
    const g = gains(user.relevant);
    if (relevantCount(g) === 0) continue;
    evaluated++;
    precision += precisionAtK(user.recommended, g, k);
    recall += recallAtK(user.recommended, g, k) as number;
    hit += hitAtK(user.recommended, g, k);
    ap += averagePrecisionAtK(user.recommended, g, k) as number;
    const n = ndcgAtK(user.recommended, g, k);
    ndcg += isUndefinedMetric(n) ? 0 : n;
  }
  const mean = (sum: number, name: string): MetricValue =>
    evaluated === 0
      ? undefinedMetric(
          users.length === 0 ? 'empty_input' : 'no_relevant_items',
          `${name} is undefined: no user has a relevant item in the test split`,
        )
      : sum / evaluated;
  return {
    k,
    users: users.length,
    usersEvaluated: evaluated,
    usersWithoutRelevant: users.length - evaluated,
    precisionAtK: mean(precision, `precision@${k}`),
    recallAtK: mean(recall, `recall@${k}`),
    hitRateAtK: mean(hit, `hit rate@${k}`),
    mapAtK: mean(ap, `MAP@${k}`),
    ndcgAtK: mean(ndcg, `NDCG@${k}`),
  };
}

/**
 * The most-popular baseline: items ranked by their number of interactions in the training split
 * (ties: smaller item id first, so the ranking is deterministic).
 */
export function popularityRanking(interactions: Iterable<{ readonly itemId: ItemId }>): ItemId[] {
  const counts = new Map<ItemId, number>();
  for (const { itemId } of interactions) counts.set(itemId, (counts.get(itemId) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([item]) => item);
}

/** The k most popular items a user has not already seen in training. */
export function popularityRecommendations(
  ranking: readonly ItemId[],
  k: number,
  seen?: ReadonlySet<ItemId>,
): ItemId[] {
  assertPositiveInteger(k, 'k');
  const out: ItemId[] = [];
  for (const item of ranking) {
    if (out.length === k) break;
    if (!seen?.has(item)) out.push(item);
  }
  return out;
}
