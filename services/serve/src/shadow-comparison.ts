/**
 * How a shadow model's answers compare with production's, per answer (an instance's
 * prediction, a top-k list), as sums the registry adds up (recordShadowComparisons):
 *  - a label prediction agrees when the labels are equal; its score delta is the shadow's
 *    probability of production's label minus production's;
 *  - a score prediction (a rating, an interaction probability) agrees within
 *    SCORE_TOLERANCE of production's score (relative, at least that much absolute);
 *  - a top-k list agrees when the top item is the same; its delta is top score minus top score.
 */
import type { Prediction, Recommendation } from '@lathe/ml';
import type { ShadowComparisonDelta } from '@lathe/registry';

export const SCORE_TOLERANCE = 0.01;

export const emptyComparison = (): ShadowComparisonDelta => ({
  requests: 0,
  errors: 0,
  agreements: 0,
  scoreDeltaSum: 0,
  absScoreDeltaSum: 0,
  shadowLatencyMsSum: 0,
  primaryLatencyMsSum: 0,
});

function addDelta(into: ShadowComparisonDelta, delta: number, agrees: boolean): void {
  into.agreements += agrees ? 1 : 0;
  into.scoreDeltaSum += delta;
  into.absScoreDeltaSum += Math.abs(delta);
}

export function comparePredictions(production: Prediction[], shadow: Prediction[]): ShadowComparisonDelta {
  const sums = emptyComparison();
  production.forEach((live, i) => {
    const mirrored = shadow[i];
    sums.requests++;
    if (!mirrored) {
      sums.errors++;
      return;
    }
    if (live.label !== undefined) {
      const liveP = live.probabilities?.[live.label] ?? 0;
      const shadowP = mirrored.probabilities?.[live.label] ?? 0;
      addDelta(sums, shadowP - liveP, mirrored.label === live.label);
    } else {
      const delta = (mirrored.score ?? 0) - (live.score ?? 0);
      addDelta(sums, delta, Math.abs(delta) <= SCORE_TOLERANCE * Math.max(1, Math.abs(live.score ?? 0)));
    }
  });
  return sums;
}

export function compareRecommendations(
  production: Recommendation,
  shadow: Recommendation,
): ShadowComparisonDelta {
  const sums = emptyComparison();
  sums.requests = 1;
  const live = production.items[0];
  const mirrored = shadow.items[0];
  addDelta(sums, (mirrored?.score ?? 0) - (live?.score ?? 0), live?.item === mirrored?.item);
  return sums;
}

export function addComparison(into: ShadowComparisonDelta, delta: ShadowComparisonDelta): void {
  into.requests += delta.requests;
  into.errors += delta.errors;
  into.agreements += delta.agreements;
  into.scoreDeltaSum += delta.scoreDeltaSum;
  into.absScoreDeltaSum += delta.absScoreDeltaSum;
  into.shadowLatencyMsSum += delta.shadowLatencyMsSum;
  into.primaryLatencyMsSum += delta.primaryLatencyMsSum;
}
