/**
 * Ranking summary for recommendation, with the most-popular baseline evaluated on the same users
 * so that "NDCG 0.21" can be read against what recommending the best-sellers would score.
 * Metric names: precision@k, recall@k, hitRate@k, map@k, ndcg@k, coverage@k (definitions in
 * metrics/ranking.ts), for each k.
 */
import type { ItemId, MetricValue, RankedUser } from '../metrics/index.ts';
import {
  catalogueCoverage,
  partitionMetrics,
  popularityRecommendations,
  rankingMetrics,
} from '../metrics/index.ts';
import { assertPositiveInteger } from '../metrics/inputs.ts';
import type { EvaluationSummary, UndefinedMetrics } from './summary.ts';

export interface RankingInput {
  readonly users: readonly RankedUser[];
  /** Cut-offs; default [10]. */
  readonly ks?: readonly number[];
  /** Number of items that could be recommended (for coverage). */
  readonly catalogueSize: number;
  /**
   * Items ranked by training popularity (`popularityRanking`), and what each user already saw in
   * training (excluded from the baseline's list, as it is from the model's).
   */
  readonly popularity?: {
    readonly ranking: readonly ItemId[];
    readonly seen?: (user: RankedUser) => ReadonlySet<ItemId> | undefined;
  };
}

export interface BaselineComparison {
  readonly model: number;
  readonly baseline: number;
  /** model − baseline. */
  readonly delta: number;
  /** model / baseline; absent when the baseline scores 0. */
  readonly lift?: number;
}

export interface RankingSummary extends EvaluationSummary {
  readonly kind: 'ranking';
  readonly users: number;
  readonly usersWithoutRelevant: number;
  readonly popularityBaseline?: {
    readonly metrics: Record<string, number>;
    readonly undefinedMetrics: UndefinedMetrics;
    readonly comparison: Record<string, BaselineComparison>;
  };
}

function rankingValues(
  users: readonly RankedUser[],
  ks: readonly number[],
  catalogueSize: number,
): Record<string, MetricValue> {
  const values: Record<string, MetricValue> = {};
  for (const k of ks) {
    const m = rankingMetrics(users, k);
    values[`precision@${k}`] = m.precisionAtK;
    values[`recall@${k}`] = m.recallAtK;
    values[`hitRate@${k}`] = m.hitRateAtK;
    values[`map@${k}`] = m.mapAtK;
    values[`ndcg@${k}`] = m.ndcgAtK;
    values[`coverage@${k}`] = catalogueCoverage(
      users.map((u) => u.recommended),
      catalogueSize,
      k,
    );
  }
  return values;
}

export function evaluateRanking(input: RankingInput): RankingSummary {
  const ks = input.ks ?? [10];
  ks.forEach((k) => assertPositiveInteger(k, 'k'));
  const first = rankingMetrics(input.users, ks[0] ?? 10);
  const model = partitionMetrics(rankingValues(input.users, ks, input.catalogueSize));
  let popularityBaseline: RankingSummary['popularityBaseline'];
  if (input.popularity) {
    const { ranking, seen } = input.popularity;
    const maxK = Math.max(...ks);
    const baselineUsers = input.users.map((u) => ({
      ...u,
      recommended: popularityRecommendations(ranking, maxK, seen?.(u)),
    }));
    const baseline = partitionMetrics(rankingValues(baselineUsers, ks, input.catalogueSize));
    const comparison: Record<string, BaselineComparison> = {};
    for (const [name, m] of Object.entries(model.metrics)) {
      const b = baseline.metrics[name];
      if (b === undefined) continue;
      comparison[name] =
        b === 0
          ? { model: m, baseline: b, delta: m - b }
          : { model: m, baseline: b, delta: m - b, lift: m / b };
    }
    popularityBaseline = { ...baseline, comparison };
  }
  return {
    kind: 'ranking',
    rows: input.users.length,
    users: input.users.length,
    usersWithoutRelevant: first.usersWithoutRelevant,
    ...model,
    curves: {},
    ...(popularityBaseline ? { popularityBaseline } : {}),
  };
}
