/**
 * Ranks a sweep's trials by their validation metric at the kept epoch. Trials without a value yet
 * (queued, still training, or failed before training ended) are listed unranked after the rest;
 * ties keep the order the trials were started in.
 */
export interface TrialValue {
  readonly runId: string;
  readonly value: number | null;
}

export function rankTrials<T extends TrialValue>(
  trials: readonly T[],
  direction: 'min' | 'max',
): (T & { rank: number | null })[] {
  const scored = trials
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.value !== null && Number.isFinite(t.value))
    .sort((a, b) => (direction === 'min' ? a.t.value! - b.t.value! : b.t.value! - a.t.value!) || a.i - b.i);
  const rank = new Map(scored.map(({ t }, r) => [t.runId, r + 1]));
  return [
    ...scored.map(({ t }) => ({ ...t, rank: rank.get(t.runId)! })),
    ...trials.filter((t) => !rank.has(t.runId)).map((t) => ({ ...t, rank: null })),
  ];
}
