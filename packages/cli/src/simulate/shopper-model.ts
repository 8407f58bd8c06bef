/**
 * How a simulated shopper reacts to a page of recommendations. A simulation, and labelled as one
 * wherever it is used; its truth is the synthetic-interactions generator's own affinity s of the
 * shopper for each item (see @lathe/data), so nothing here knows which model is better.
 *
 * On a page of k items, at 0-based position r, a shopper
 *  - examines the item with probability 1 / log2(r + 2): the position discount NDCG assumes
 *    (Järvelin & Kekäläinen 2002), the simplest position-bias model (examination hypothesis,
 *    Richardson, Dominowska & Ragno 2007);
 *  - clicks an examined item with probability σ(−4 + 1.2·s);
 *  - buys a clicked item with probability σ(−2 + 0.8·s), paying its price.
 * Items are independent, so a page's purchase probability per item is p_r = examine·click·buy,
 * its probability of at least one purchase (a conversion) is 1 − Π(1 − p_r), and its expected
 * revenue Σ p_r · price_r. Prices are drawn once per item from the seed: 5 + exp(N(2.5, 0.7²))
 * (a long-tailed catalogue around 20).
 */
import { mulberry32, type Random } from '@lathe/core';

export interface ShopperTruth {
  /** The shopper's true affinity for an item; undefined for an item the truth does not know. */
  affinity(shopperId: string, itemId: string): number | undefined;
  price(itemId: string): number;
}

export interface PageExpectation {
  /** P(at least one purchase). */
  conversion: number;
  /** E[revenue]. */
  revenue: number;
  /** E[clicks]. */
  clicks: number;
}

export interface PageOutcome {
  clicked: string[];
  bought: Array<{ itemId: string; price: number }>;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const examine = (position: number) => 1 / Math.log2(position + 2);
const click = (s: number) => sigmoid(-4 + 1.2 * s);
const buy = (s: number) => sigmoid(-2 + 0.8 * s);

/** Item prices drawn once from `seed` (item ids `i<n>`, as the generator names them; others get the median). */
export function seededPrices(items: number, seed: number): (itemId: string) => number {
  const random = mulberry32(seed ^ 0x5eed);
  const normal = () => {
    let u = 0;
    while (u === 0) u = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const prices = Array.from(
    { length: items },
    () => Math.round((5 + Math.exp(2.5 + 0.7 * normal())) * 100) / 100,
  );
  const median = 5 + Math.exp(2.5);
  return (itemId) => {
    const n = Number(itemId.slice(1));
    return itemId.startsWith('i') && Number.isInteger(n) && n >= 0 && n < items ? prices[n]! : median;
  };
}

/** The probability-weighted outcome of a page for a shopper: the truth the measured lift estimates. */
export function expectPage(truth: ShopperTruth, shopperId: string, items: string[]): PageExpectation {
  let none = 1;
  let revenue = 0;
  let clicks = 0;
  items.forEach((itemId, r) => {
    const s = truth.affinity(shopperId, itemId);
    if (s === undefined) return;
    const c = examine(r) * click(s);
    const p = c * buy(s);
    clicks += c;
    none *= 1 - p;
    revenue += p * truth.price(itemId);
  });
  return { conversion: 1 - none, revenue, clicks };
}

/** One shopper's reaction to a page, drawn with `random`. */
export function drawPage(
  truth: ShopperTruth,
  shopperId: string,
  items: string[],
  random: Random,
): PageOutcome {
  const outcome: PageOutcome = { clicked: [], bought: [] };
  items.forEach((itemId, r) => {
    const s = truth.affinity(shopperId, itemId);
    if (s === undefined) return;
    if (random() >= examine(r) * click(s)) return;
    outcome.clicked.push(itemId);
    if (random() < buy(s)) outcome.bought.push({ itemId, price: truth.price(itemId) });
  });
  return outcome;
}
