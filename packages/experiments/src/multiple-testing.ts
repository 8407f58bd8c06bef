/**
 * Adjusting p-values for many metrics or many variants tested at once.
 *
 * - Holm's step-down procedure (S. Holm 1979, "A simple sequentially rejective multiple test
 *   procedure", Scand. J. Statist. 6:65–70) controls the family-wise error rate: the i-th smallest of m
 *   p-values (0-based) is compared with α / (m − i), and testing stops at the first that fails.
 *   Adjusted p-values: max over j ≤ i of (m − j) p₍ⱼ₎, capped at 1.
 * - Benjamini & Hochberg's step-up procedure (Y. Benjamini, Y. Hochberg 1995, "Controlling the false
 *   discovery rate", J. R. Statist. Soc. B 57:289–300) controls the false discovery rate: reject the
 *   k smallest, k the largest i with p₍ᵢ₎ ≤ (i+1)/m · α. Adjusted p-values: min over j ≥ i of
 *   p₍ⱼ₎ m / (j+1), capped at 1.
 *
 * Both reproduce statsmodels.stats.multitest.multipletests(method='holm' / 'fdr_bh') to the last bit:
 * the same comparisons (p > α/(m − i), p ≤ ((i+1)/m)·α) and the same divisions, so a p-value exactly at
 * a threshold is decided as statsmodels decides it. Results come back in the input order. Ties get
 * equal adjusted p-values whatever order the sort leaves them in (the running max / min makes them
 * equal). Checked in multiple-testing.test.ts, with ties and unsorted input.
 */

export interface MultipleTestingResult {
  adjusted: number[];
  rejected: boolean[];
}

/** Holm–Bonferroni (statsmodels method='holm'). */
export function holm(pValues: number[], alpha: number): MultipleTestingResult {
  const order = sortedOrder(pValues, alpha);
  const m = order.length;
  const adjusted: number[] = new Array<number>(m);
  const rejected: boolean[] = new Array<boolean>(m);
  let running = 0;
  let stillRejecting = true;
  for (let i = 0; i < m; i++) {
    const index = order[i]!;
    const p = pValues[index]!;
    if (p > alpha / (m - i)) stillRejecting = false;
    rejected[index] = stillRejecting;
    running = Math.max(running, p * (m - i));
    adjusted[index] = Math.min(1, running);
  }
  return { adjusted, rejected };
}

/** Benjamini–Hochberg false discovery rate (statsmodels method='fdr_bh'). */
export function benjaminiHochberg(pValues: number[], alpha: number): MultipleTestingResult {
  const order = sortedOrder(pValues, alpha);
  const m = order.length;
  const adjusted: number[] = new Array<number>(m);
  const rejected: boolean[] = new Array<boolean>(m);
  let lastRejected = -1;
  for (let i = 0; i < m; i++) {
    if (pValues[order[i]!]! <= ((i + 1) / m) * alpha) lastRejected = i;
  }
  let running = Infinity;
  for (let i = m - 1; i >= 0; i--) {
    const index = order[i]!;
    running = Math.min(running, pValues[index]! / ((i + 1) / m));
    adjusted[index] = Math.min(1, running);
    rejected[index] = i <= lastRejected;
  }
  return { adjusted, rejected };
}

/** Indices of pValues by increasing p-value; throws a RangeError on p-values outside [0, 1]. */
function sortedOrder(pValues: number[], alpha: number): number[] {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-value ${i} must be in [0, 1], got ${p}`);
  });
  return pValues.map((_, i) => i).sort((i, j) => pValues[i]! - pValues[j]!);
}
