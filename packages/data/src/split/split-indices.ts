/**
 * Splits a dataset into train / validation / test by row position. Seeded, so the same content
 * and spec give the same split:
 *   random            — shuffle (Fisher–Yates, mulberry32) and cut by the fractions;
 *   stratified        — the same within each label, so every split keeps the label mix;
 *   time              — ordered by timestamp: the oldest rows train, the newest test;
 *   leave-last-n-out  — recommendation: per user, the last n interactions (by time) go to
 *                       test, the n before to validation, the rest to train.
 */
import { mulberry32, shuffleInPlace } from '../prng.ts';
import type { SplitSpec } from '@lathe/contract';
import type { SplitIndices } from '@lathe/contract';

export interface SplitKeys {
  /** Label per row (stratified). */
  labels?: string[];
  /** Timestamp per row, null when unknown (time, leave-last-n-out). */
  timestamps?: Array<number | null>;
  /** User per row (leave-last-n-out). */
  users?: string[];
}

function cut(positions: ArrayLike<number>, fractions: SplitSpec['fractions'], into: SplitIndices): void {
  const n = positions.length;
  const trainEnd = Math.round(n * fractions.train);
  const validationEnd = trainEnd + Math.round(n * fractions.validation);
  for (let i = 0; i < n; i++) {
    const position = positions[i]!;
    if (i < trainEnd) into.train.push(position);
    else if (i < validationEnd) into.validation.push(position);
    else into.test.push(position);
  }
}

export function splitIndices(rows: number, spec: SplitSpec, keys: SplitKeys = {}): SplitIndices {
  const split: SplitIndices = { train: [], validation: [], test: [] };
  const random = mulberry32(spec.seed);
  if (spec.strategy === 'random' || (spec.strategy === 'stratified' && !keys.labels)) {
    cut(
      shuffleInPlace(
        Uint32Array.from({ length: rows }, (_, i) => i),
        random,
      ),
      spec.fractions,
      split,
    );
  } else if (spec.strategy === 'stratified') {
    const byLabel = new Map<string, number[]>();
    keys.labels!.forEach((label, i) => {
      if (!byLabel.has(label)) byLabel.set(label, []);
      byLabel.get(label)!.push(i);
    });
    for (const label of [...byLabel.keys()].sort())
      cut(shuffleInPlace(Uint32Array.from(byLabel.get(label)!), random), spec.fractions, split);
  } else if (spec.strategy === 'time') {
    const times = keys.timestamps ?? [];
    const order = Array.from({ length: rows }, (_, i) => i).sort(
      (a, b) => (times[a] ?? 0) - (times[b] ?? 0) || a - b,
    );
    cut(order, spec.fractions, split);
  } else {
    const byUser = new Map<string, number[]>();
    (keys.users ?? []).forEach((user, i) => {
      if (!byUser.has(user)) byUser.set(user, []);
      byUser.get(user)!.push(i);
    });
    const times = keys.timestamps ?? [];
    for (const positions of byUser.values()) {
      positions.sort((a, b) => (times[a] ?? 0) - (times[b] ?? 0) || a - b);
      // A user needs at least one training interaction; the held-out ones come from the end.
      const held = Math.min(spec.n, Math.max(0, positions.length - 1));
      const validation = Math.min(spec.n, Math.max(0, positions.length - 1 - held));
      positions.forEach((position, i) => {
        if (i >= positions.length - held) split.test.push(position);
        else if (i >= positions.length - held - validation) split.validation.push(position);
        else split.train.push(position);
      });
    }
  }
  for (const part of [split.train, split.validation, split.test]) part.sort((a, b) => a - b);
  return split;
}
