/**
 * The analysis input of a stored test: the registry's sufficient-statistics rows (keyed by
 * variant id) turned into rows keyed by variant name, with the test's running time and coverage.
 * The rollout monitor and the report both build their input with this, so they analyse the same
 * numbers the same way.
 */
import type { AbTestData } from './analysis.ts';

export interface StoredTest {
  variants: ReadonlyArray<{ id: string; name: string; isControl: boolean; weight: number }>;
  coverage: number;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface StoredStatistics {
  metrics: ReadonlyArray<{ variantId: string; step: number; metric: string; units: number; sum: number; sumSquares: number; covariateSum: number; covariateSumSquares: number; crossSum: number }>;
  requests: ReadonlyArray<{ variantId: string; step: number; requests: number; errors: number; slow: number; latencySumMs: number; latencyHistogram: number[] }>;
}

export function abTestDataOf(test: StoredTest, stats: StoredStatistics, now: Date): AbTestData {
  const names = new Map(test.variants.map((v) => [v.id, v.name]));
  const until = test.endedAt ?? now;
  return {
    variants: test.variants.map((v) => ({ name: v.name, isControl: v.isControl, weight: v.weight })),
    metrics: stats.metrics.filter((m) => names.has(m.variantId)).map(({ variantId, ...m }) => ({ ...m, variant: names.get(variantId)! })),
    requests: stats.requests.filter((r) => names.has(r.variantId)).map(({ variantId, ...r }) => ({ ...r, variant: names.get(variantId)! })),
    elapsedMs: test.startedAt ? Math.max(0, until.getTime() - test.startedAt.getTime()) : 0,
    coverage: test.coverage,
  };
}
