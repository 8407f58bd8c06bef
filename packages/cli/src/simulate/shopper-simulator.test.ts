import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@lathe/core';
import { createTrueAffinity } from '@lathe/data/synthetic-interactions';
import type { RecommendResponse } from '@lathe/contract';
import { drawPage, expectPage, seededPrices, type ShopperTruth } from './shopper-model.ts';
import { startSimulation, trueLift } from './shopper-simulator.ts';

const generator = { users: 300, items: 80, dimensions: 4, seed: 5 };
const affinity = createTrueAffinity(generator);
const truth: ShopperTruth = {
  affinity: (u, i) => affinity.affinity(u, i),
  price: seededPrices(generator.items, generator.seed),
};
const allItems = Array.from({ length: generator.items }, (_, i) => `i${i}`);
const bestFor = (user: string, k: number) =>
  [...allItems].sort((a, b) => truth.affinity(user, b)! - truth.affinity(user, a)!).slice(0, k);
const worstFor = (user: string, k: number) =>
  [...allItems].sort((a, b) => truth.affinity(user, a)! - truth.affinity(user, b)!).slice(0, k);

describe('shopper model', () => {
  it("draws pages whose averages converge to the page's expectation", () => {
    const page = bestFor('u3', 10);
    const expected = expectPage(truth, 'u3', page);
    const random = mulberry32(9);
    const n = 40_000;
    let converted = 0;
    let revenue = 0;
    let clicks = 0;
    for (let i = 0; i < n; i++) {
      const drawn = drawPage(truth, 'u3', page, random);
      if (drawn.bought.length > 0) converted += 1;
      revenue += drawn.bought.reduce((s, b) => s + b.price, 0);
      clicks += drawn.clicked.length;
    }
    // Binomial standard error of the conversion share: 4 of them is a failure that cannot happen by chance.
    const se = Math.sqrt((expected.conversion * (1 - expected.conversion)) / n);
    expect(Math.abs(converted / n - expected.conversion)).toBeLessThan(4 * se);
    expect(revenue / n).toBeCloseTo(expected.revenue, 0);
    expect(clicks / n).toBeCloseTo(expected.clicks, 1);
  });

  it('rewards a ranking by the true preferences over the reverse ranking, and ignores unknown items', () => {
    for (const user of ['u0', 'u1', 'u2']) {
      const good = expectPage(truth, user, bestFor(user, 10));
      const bad = expectPage(truth, user, worstFor(user, 10));
      expect(good.conversion).toBeGreaterThan(bad.conversion);
      expect(good.revenue).toBeGreaterThan(bad.revenue);
    }
    expect(expectPage(truth, 'u0', ['nope', 'i-1'])).toEqual({ conversion: 0, revenue: 0, clicks: 0 });
    expect(seededPrices(3, 1)('i1')).toBeGreaterThan(5);
  });
});

describe('shopper simulator', () => {
  /** A gateway stand-in: even shoppers get the control's worst pages, odd ones the treatment's best. */
  function transport(posted: Array<{ unitId: string; metric: string; idempotencyKey: string }>) {
    return {
      recommend: async ({ userId, k }: { userId: string; k: number }): Promise<RecommendResponse> => {
        const treated = Number(userId.slice(1)) % 2 === 1;
        const items = (treated ? bestFor : worstFor)(userId, k).map((itemId) => ({ itemId, score: 0 }));
        return {
          endpoint: 'shop',
          modelVersionId: treated ? 'v2' : 'v1',
          abTest: { id: 't', variant: treated ? 'treatment' : 'control', step: 0 },
          basis: 'model',
          items,
        };
      },
      outcome: async (body: { unitId: string; metric: string; idempotencyKey: string }) => {
        posted.push(body);
      },
    };
  }

  it("keeps each arm's truth per shopper, posts what was drawn once each, and finds the better arm's true lift", async () => {
    const posted: Array<{ unitId: string; metric: string; idempotencyKey: string }> = [];
    const sim = startSimulation({
      transport: transport(posted),
      truth,
      shopperIds: Array.from({ length: 200 }, (_, i) => `u${i}`),
      k: 8,
      concurrency: 4,
      seed: 3,
      maxVisits: 600,
    });
    const state = await sim.done;
    expect(state.visits).toBe(600);
    const control = state.arms.get('control')!;
    const treatment = state.arms.get('treatment')!;
    expect(control.units + treatment.units).toBe(200); // every shopper came back, and stayed one unit
    expect(control.visits + treatment.visits).toBe(600);
    const lift = trueLift(state, 'control', 'treatment')!;
    expect(lift.conversion).toBeGreaterThan(0.5);
    expect(lift.revenue).toBeGreaterThan(0.5);
    // Purchases drawn: a unit converts at most once in the tally, every posted key is distinct.
    expect(treatment.conversions).toBeLessThanOrEqual(treatment.units);
    expect(new Set(posted.map((p) => p.idempotencyKey)).size).toBe(posted.length);
    const bought = new Set(posted.filter((p) => p.metric === 'conversion').map((p) => p.unitId));
    expect(bought.size).toBe(control.conversions + treatment.conversions);
  });

  it('fails loudly when a shopper changes arm', async () => {
    let call = 0;
    const sim = startSimulation({
      transport: {
        recommend: async () => ({
          endpoint: 'shop',
          modelVersionId: 'v',
          abTest: { id: 't', variant: call++ === 0 ? 'control' : 'treatment', step: 0 },
          basis: 'model' as const,
          items: [],
        }),
        outcome: async () => undefined,
      },
      truth,
      shopperIds: ['u1'],
      k: 3,
      concurrency: 1,
      seed: 1,
      maxVisits: 2,
    });
    await expect(sim.done).rejects.toThrow(/moved from arm control to treatment/);
  });
});
