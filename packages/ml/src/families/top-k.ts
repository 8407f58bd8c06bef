/**
 * The k best of n scored candidates without sorting all n: a min-heap of the k best seen so
 * far, in typed arrays (no object per candidate), so a top-10 of 500 items costs about n
 * comparisons instead of an n·log n sort of n allocated objects. The order is the one a
 * stable sort by descending score gives: equal scores keep their candidate order, and a NaN
 * score ranks below every number.
 */

/** Positions (0..n-1) of the `k` highest `score(j)`, best first. */
export function topK(n: number, k: number, score: (j: number) => number): Int32Array {
  const size = Math.max(0, Math.min(k, n));
  const heapScore = new Float64Array(size);
  const heapAt = new Int32Array(size);
  if (size === 0) return heapAt;
  // "a ranks below b": lower score, or the same score and a later position.
  const below = (sa: number, ja: number, sb: number, jb: number) => sa < sb || (sa === sb && ja > jb);
  const siftDown = (from: number, length: number) => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= length) return;
      const r = l + 1;
      let worst = l;
      if (r < length && below(heapScore[r]!, heapAt[r]!, heapScore[l]!, heapAt[l]!)) worst = r;
      if (!below(heapScore[worst]!, heapAt[worst]!, heapScore[i]!, heapAt[i]!)) return;
      const s = heapScore[i]!;
      const a = heapAt[i]!;
      heapScore[i] = heapScore[worst]!;
      heapAt[i] = heapAt[worst]!;
      heapScore[worst] = s;
      heapAt[worst] = a;
      i = worst;
    }
  };
  const valueOf = (j: number) => {
    const s = score(j);
    return Number.isNaN(s) ? -Infinity : s;
  };
  for (let j = 0; j < size; j++) {
    heapScore[j] = valueOf(j);
    heapAt[j] = j;
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i, size);
  for (let j = size; j < n; j++) {
    const s = valueOf(j);
    // The heap's root is the worst kept; a later position never beats it on a tie.
    if (s > heapScore[0]!) {
      heapScore[0] = s;
      heapAt[0] = j;
      siftDown(0, size);
    }
  }
  // Pop the worst to the back: the array ends up best first.
  for (let end = size - 1; end > 0; end--) {
    const s = heapScore[0]!;
    const a = heapAt[0]!;
    heapScore[0] = heapScore[end]!;
    heapAt[0] = heapAt[end]!;
    heapScore[end] = s;
    heapAt[end] = a;
    siftDown(0, end);
  }
  return heapAt;
}
