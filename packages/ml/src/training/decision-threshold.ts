/**
 * The decision threshold of a binary classifier with an imbalanced target. Predicting the class
 * whose probability exceeds 0.5 almost never names the rare class, so the label a model returns
 * would be "no" for every customer. Lathe keeps the probabilities calibrated (unweighted loss)
 * and moves the threshold instead: the one maximising F1 of the rare class on the validation
 * split (threshold moving, Provost 2000 "Machine learning from imbalanced data sets 101";
 * Lipton et al. 2014 on the F1-optimal threshold).
 */

/** A target is imbalanced when its rarer class is under this share of the rows. */
export const IMBALANCE_SHARE = 0.25;

export function minorityShare(yTrue: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) positives += yTrue[i] === 1 ? 1 : 0;
  return yTrue.length === 0 ? 0 : Math.min(positives, yTrue.length - positives) / yTrue.length;
}

/**
 * The threshold t maximising F1 of class 1 for the rule "class 1 when p > t". Candidate cuts
 * sit halfway between consecutive distinct scores, so every achievable prediction set is tried
 * once; ties in F1 keep the higher threshold (fewer customers flagged). Null when class 1 has no
 * row (F1 is undefined everywhere).
 */
export function f1OptimalThreshold(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
): { threshold: number; f1: number } | null {
  const n = yTrue.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += yTrue[i] === 1 ? 1 : 0;
  if (positives === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let best: { threshold: number; f1: number } | null = null;
  let tp = 0;
  let flagged = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    tp += yTrue[i] === 1 ? 1 : 0;
    flagged++;
    const next = k + 1 < n ? scores[order[k + 1]!]! : null;
    if (next !== null && next === scores[i]) continue; // a cut cannot separate tied scores
    const f1 = (2 * tp) / (flagged + positives);
    const threshold = next === null ? scores[i]! / 2 : (scores[i]! + next) / 2;
    if (best === null || f1 > best.f1) best = { threshold, f1 };
  }
  return best;
}
