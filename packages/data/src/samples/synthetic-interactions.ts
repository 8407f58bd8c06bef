/**
 * User–item interactions generated from KNOWN latent factors, because no real ratings set can
 * be installed here (no MovieLens on npm or Debian). Recipe, seeded (mulberry32):
 *   user factors  u_j ~ N(0, I_d),  item factors v_i ~ N(0, I_d),  item popularity b_i ~ N(0, 0.5²)
 *   affinity      s_ji = u_j · v_i / √d + b_i
 *   each user draws `interactionsPerUser` distinct items with probability ∝ exp(temperature · s_ji)
 *   rating        = clamp(round(3 + 1.5 · s_ji + ε), 1, 5),  ε ~ N(0, 0.5²)   (or null: implicit)
 *   timestamp     = increasing per user (one interaction a day from 2026-01-01)
 * `trueAffinity` re-derives s_ji from the same seed, so an evaluation can compare a model's
 * ranking with the truth.
 */
import { z } from 'zod';
import { mulberry32, normal, type Random } from '../prng.ts';
import type { OpenedSource, SourceRecord } from '../sources/source-record.ts';

export const syntheticInteractionsOptionsSchema = z.object({
  users: z.number().int().min(1).max(1_000_000).default(500),
  items: z.number().int().min(2).max(100_000).default(200),
  interactionsPerUser: z.number().int().min(1).max(1000).default(20),
  dimensions: z.number().int().min(1).max(64).default(8),
  temperature: z.number().positive().default(2),
  implicit: z.boolean().default(false),
  seed: z.number().int().default(42),
});
export type SyntheticInteractionsOptions = z.input<typeof syntheticInteractionsOptionsSchema>;

interface Factors {
  users: Float64Array[];
  items: Float64Array[];
  bias: Float64Array;
  random: Random;
}

function factors(o: z.output<typeof syntheticInteractionsOptionsSchema>): Factors {
  const random = mulberry32(o.seed);
  const vector = () => Float64Array.from({ length: o.dimensions }, () => normal(random));
  const users = Array.from({ length: o.users }, vector);
  const items = Array.from({ length: o.items }, vector);
  const bias = Float64Array.from({ length: o.items }, () => 0.5 * normal(random));
  return { users, items, bias, random };
}

function affinity(f: Factors, user: number, item: number): number {
  const u = f.users[user]!;
  const v = f.items[item]!;
  let dot = 0;
  for (let d = 0; d < u.length; d++) dot += u[d]! * v[d]!;
  return dot / Math.sqrt(u.length) + f.bias[item]!;
}

/** The generator's truth: the affinity s_ji of every shopper (`u<j>`) for every item (`i<i>`). */
export interface TrueAffinity {
  users: number;
  items: number;
  /** undefined for an id the generator never made. */
  affinity(userId: string, itemId: string): number | undefined;
}

const indexOf = (id: string, prefix: string, count: number): number | undefined => {
  if (!id.startsWith(prefix)) return undefined;
  const n = Number(id.slice(prefix.length));
  return Number.isInteger(n) && n >= 0 && n < count && String(n) === id.slice(prefix.length) ? n : undefined;
};

/** The same factors `openSyntheticInteractions` draws from these options (what a simulated shopper acts on). */
export function createTrueAffinity(options: SyntheticInteractionsOptions): TrueAffinity {
  const o = syntheticInteractionsOptionsSchema.parse(options);
  const f = factors(o);
  return {
    users: o.users,
    items: o.items,
    affinity(userId, itemId) {
      const user = indexOf(userId, 'u', o.users);
      const item = indexOf(itemId, 'i', o.items);
      return user === undefined || item === undefined ? undefined : affinity(f, user, item);
    },
  };
}

/** The generator's true affinity of every item for `user` (`u<j>`), best first. */
export function trueAffinity(
  options: SyntheticInteractionsOptions,
  userId: string,
): Array<{ item: string; score: number }> {
  const truth = createTrueAffinity(options);
  return Array.from({ length: truth.items }, (_, i) => ({
    item: `i${i}`,
    score: truth.affinity(userId, `i${i}`)!,
  })).sort((a, b) => b.score - a.score);
}

export function openSyntheticInteractions(input: unknown): OpenedSource {
  const o = syntheticInteractionsOptionsSchema.parse(input ?? {});
  const f = factors(o);
  const start = Date.UTC(2026, 0, 1);
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 0;
    for (let user = 0; user < o.users; user++) {
      const weights = f.items.map((_, i) => Math.exp(o.temperature * affinity(f, user, i)));
      const chosen = new Set<number>();
      const draws = Math.min(o.interactionsPerUser, o.items);
      while (chosen.size < draws) {
        let total = 0;
        weights.forEach((w, i) => (total += chosen.has(i) ? 0 : w));
        let x = f.random() * total;
        let pick = -1;
        for (let i = 0; i < weights.length; i++) {
          if (chosen.has(i)) continue;
          x -= weights[i]!;
          pick = i;
          if (x <= 0) break;
        }
        chosen.add(pick);
        const score = affinity(f, user, pick);
        const rating = o.implicit
          ? null
          : Math.min(5, Math.max(1, Math.round(3 + 1.5 * score + 0.5 * normal(f.random))));
        yield {
          row: ++row,
          values: { user: `u${user}`, item: `i${pick}`, rating, timestamp: start + chosen.size * 86_400_000 },
        };
      }
    }
  }
  return {
    format: 'sample:synthetic-interactions',
    columns: ['user', 'item', 'rating', 'timestamp'],
    records: records(),
    description: { sample: 'synthetic-interactions', ...o },
  };
}
