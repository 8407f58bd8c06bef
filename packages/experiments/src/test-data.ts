/**
 * The analysis input of a stored test: the registry's sufficient-statistics rows (keyed by
 * variant id) turned into rows keyed by variant name, with the test's running time and coverage.
 * The rollout monitor and the report both build their input with this, so they analyse the same
 * numbers the same way.
 */
import { analyseAbTest, type AbAnalysis, type AbTestData, type RequestTotals } from './analysis.ts';
import type { CovariateArm } from './cuped.ts';
import type { RolloutPolicy } from './rollout-policy.ts';

export interface StoredTest {
  variants: ReadonlyArray<{ id: string; name: string; isControl: boolean; weight: number }>;
  coverage: number;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** The registry's kept sufficient statistics of a test, rows keyed by variant id (AbStat, AbRequestStat). */
export interface StoredStatistics {
  metrics: ReadonlyArray<CovariateArm & { variantId: string; step: number; metric: string }>;
  requests: ReadonlyArray<RequestTotals & { variantId: string; step: number }>;
}

export function abTestDataOf(test: StoredTest, stats: StoredStatistics, now: Date): AbTestData {
  const names = new Map(test.variants.map((v) => [v.id, v.name]));
  const until = test.endedAt ?? now;
  return {
    variants: test.variants.map((v) => ({ name: v.name, isControl: v.isControl, weight: v.weight })),
    metrics: stats.metrics
      .filter((m) => names.has(m.variantId))
      .map(({ variantId, ...m }) => ({ ...m, variant: names.get(variantId)! })),
    requests: stats.requests
      .filter((r) => names.has(r.variantId))
      .map(({ variantId, ...r }) => ({ ...r, variant: names.get(variantId)! })),
    elapsedMs: test.startedAt ? Math.max(0, until.getTime() - test.startedAt.getTime()) : 0,
    coverage: test.coverage,
  };
}

/**
 * The analysis of a stored test, as the monitor decides on it and the report shows it: all of
 * its data, and the always-valid p-values carried forward from the previous look (`previous`,
 * the analysis the test stored last). An always-valid p-value is the running minimum over looks
 * (Johari et al. 2022, §3): once the sequential sample-ratio test has rejected, it stays
 * rejected, even if a later look's Bayes factor happens to be smaller.
 */
export function analyseStoredTest(
  test: StoredTest & { analysis?: unknown },
  stats: StoredStatistics,
  policy: RolloutPolicy,
  now: Date,
): AbAnalysis {
  const current = analyseAbTest(abTestDataOf(test, stats, now), policy);
  const previous = test.analysis as Partial<AbAnalysis> | null | undefined;
  const srmBefore = previous?.sampleRatioMismatch;
  if (srmBefore && typeof srmBefore.pValue === 'number') {
    current.sampleRatioMismatch.pValue = Math.min(current.sampleRatioMismatch.pValue, srmBefore.pValue);
    current.sampleRatioMismatch.detected =
      current.sampleRatioMismatch.detected || srmBefore.detected === true;
  }
  const primaryBefore = previous?.treatments?.[0]?.primary?.sequential;
  const primary = current.treatments[0]?.primary;
  if (primary && primaryBefore && typeof primaryBefore.pValue === 'number')
    primary.sequential.pValue = Math.min(primary.sequential.pValue, primaryBefore.pValue);
  return current;
}
