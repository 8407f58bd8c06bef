/**
 * Simulated shoppers on a recommend endpoint (a simulation, labelled as such wherever it runs):
 * each visit asks the gateway for a page of k items for one shopper, draws the shopper's clicks
 * and purchases from the true affinities (shopper-model.ts), and posts them back as outcomes —
 * `click` and `conversion` (1 each) and `revenue` (the price) — as a shop's front end would.
 *
 * The shopper is the A/B unit. Shoppers come in a seeded random order and come back (a unit's
 * conversion is "bought at least once"), so the truth is kept per unit too: from its first visit
 * inside the test, a unit's expected conversion is 1 − Π over its visits of (1 − the page's
 * conversion probability), its expected revenue the sum of its pages'. The arms' means of these
 * are the true values the measured lift estimates, for the shoppers that actually came.
 */
import type { RecommendResponse } from '@lathe/contract';
import { mulberry32 } from '@lathe/core';
import { drawPage, expectPage, type ShopperTruth } from './shopper-model.ts';

export interface SimulatorTransport {
  recommend(body: { userId: string; k: number }): Promise<RecommendResponse>;
  outcome(body: { unitId: string; idempotencyKey: string; metric: string; value: number }): Promise<void>;
}

export interface SimulatorOptions {
  transport: SimulatorTransport;
  truth: ShopperTruth;
  shopperIds: string[];
  k: number;
  concurrency: number;
  seed: number;
  /** Stop after this many visits… */
  maxVisits?: number;
  /** …or when this says so (e.g. the A/B test has ended), checked between visits. */
  shouldStop?: () => boolean;
}

/** Per arm ("none": outside any test): units, visits, and truth vs what was drawn. */
export interface ArmTally {
  units: number;
  visits: number;
  failedRequests: number;
  /** Σ over units of the unit's expected conversion / revenue (the truth). */
  expectedConversions: number;
  expectedRevenue: number;
  /** Units that bought at least once, and the revenue drawn. */
  conversions: number;
  revenue: number;
  clicks: number;
}

export interface SimulationState {
  visits: number;
  failedRequests: number;
  arms: Map<string, ArmTally>;
}

interface UnitTruth {
  arm: string;
  noPurchaseYet: number;
  converted: boolean;
}

const emptyTally = (): ArmTally => ({
  units: 0,
  visits: 0,
  failedRequests: 0,
  expectedConversions: 0,
  expectedRevenue: 0,
  conversions: 0,
  revenue: 0,
  clicks: 0,
});

/** Runs visits until `maxVisits` or `shouldStop`; `state` is live (read it for progress). */
export function startSimulation(options: SimulatorOptions): {
  state: SimulationState;
  done: Promise<SimulationState>;
} {
  const { transport, truth, shopperIds, k } = options;
  if (shopperIds.length === 0) throw new Error('the simulation needs at least one shopper');
  const random = mulberry32(options.seed);
  const order = shopperIds.map((id) => ({ id, key: random() })).sort((a, b) => a.key - b.key);
  const state: SimulationState = { visits: 0, failedRequests: 0, arms: new Map() };
  const units = new Map<string, UnitTruth>();
  const tally = (arm: string) => {
    let t = state.arms.get(arm);
    if (!t) state.arms.set(arm, (t = emptyTally()));
    return t;
  };
  let next = 0;
  const stop = () =>
    (options.maxVisits !== undefined && next >= options.maxVisits) || (options.shouldStop?.() ?? false);

  const visit = async (n: number) => {
    const shopperId = order[n % order.length]!.id;
    const page = await transport.recommend({ userId: shopperId, k }).catch(() => null);
    if (!page) {
      state.failedRequests += 1;
      return;
    }
    const arm = page.abTest?.variant ?? 'none';
    const items = page.items.map((i) => i.itemId);
    const expected = expectPage(truth, shopperId, items);
    const drawn = drawPage(truth, shopperId, items, mulberry32(options.seed * 1_000_003 + n));
    // The truth per unit counts from its first visit in the test (where its stratum starts).
    let unit = units.get(shopperId);
    if (unit && unit.arm !== 'none' && arm === 'none') {
      // The test ended (a verdict): later visits are production traffic, outside the comparison.
      tally('after the test').visits += 1;
      state.visits += 1;
      return;
    }
    const t = tally(arm);
    t.visits += 1;
    t.clicks += drawn.clicked.length;
    if (!unit || unit.arm !== arm) {
      if (unit && unit.arm !== 'none') {
        // Assignment is sticky; a unit changing arm would be a gateway bug worth seeing.
        throw new Error(`shopper ${shopperId} moved from arm ${unit.arm} to ${arm}`);
      }
      unit = { arm, noPurchaseYet: 1, converted: false };
      units.set(shopperId, unit);
      t.units += 1;
    }
    t.expectedConversions -= 1 - unit.noPurchaseYet;
    unit.noPurchaseYet *= 1 - expected.conversion;
    t.expectedConversions += 1 - unit.noPurchaseYet;
    t.expectedRevenue += expected.revenue;
    if (drawn.bought.length > 0 && !unit.converted) {
      unit.converted = true;
      t.conversions += 1;
    }
    const key = `sim-${options.seed}-${n}`;
    const outcomes = [
      ...drawn.clicked.map((itemId) => ({ metric: 'click', value: 1, key: `${key}-click-${itemId}` })),
      ...drawn.bought.flatMap(({ itemId, price }) => [
        { metric: 'conversion', value: 1, key: `${key}-buy-${itemId}` },
        { metric: 'revenue', value: price, key: `${key}-revenue-${itemId}` },
      ]),
    ];
    for (const o of outcomes) {
      if (o.metric === 'revenue') t.revenue += o.value;
      await transport
        .outcome({ unitId: shopperId, idempotencyKey: o.key, metric: o.metric, value: o.value })
        .catch(() => {
          state.failedRequests += 1;
          t.failedRequests += 1;
        });
    }
    state.visits += 1;
  };

  const worker = async () => {
    while (!stop()) await visit(next++);
  };
  const done = Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker)).then(
    () => state,
  );
  return { state, done };
}

/** The true relative change of each metric per unit, treatment vs control (undefined without both arms). */
export function trueLift(
  state: SimulationState,
  control: string,
  treatment: string,
): { conversion: number; revenue: number } | undefined {
  const c = state.arms.get(control);
  const t = state.arms.get(treatment);
  if (!c || !t || c.units === 0 || t.units === 0) return undefined;
  const mean = (a: ArmTally, x: number) => x / a.units;
  return {
    conversion: mean(t, t.expectedConversions) / mean(c, c.expectedConversions) - 1,
    revenue: mean(t, t.expectedRevenue) / mean(c, c.expectedRevenue) - 1,
  };
}
