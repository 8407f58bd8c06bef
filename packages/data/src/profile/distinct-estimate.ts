/**
 * Number of distinct values once a column has too many to keep: the k-minimum-values sketch
 * (Bar-Yossef et al. 2002, "Counting distinct elements in a data stream"; the unbiased
 * estimator (k − 1)/U_(k) of Beyer et al. 2007, "On synopses for distinct-value estimation"),
 * relative standard error ≈ 1/√(k − 2), about 3% at k = 1024. Duplicates hash alike, so feeding
 * a value twice changes nothing: the profiler starts the sketch from its exact set when that set
 * hits its limit and feeds it every later value, which gives the sketch of the whole column.
 */
const K = 1024;
const TWO_32 = 2 ** 32;

/** murmur3's 32-bit finaliser: spreads the bits of a weak hash over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashString(value: string): number {
  // FNV-1a over UTF-16 code units, then the finaliser.
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
export function hashNumber(value: number): number {
  float[0] = value === 0 ? 0 : value; // −0 and 0 are one value
  return fmix32(Math.imul(fmix32(words[0]!) ^ words[1]!, 0x9e3779b1));
}

export class DistinctSketch {
  // Max-heap of the k smallest hashes seen, and the same hashes as a set (to skip repeats).
  private readonly heap = new Uint32Array(K);
  private size = 0;
  private readonly members = new Set<number>();

  add(hash: number): void {
    if (this.members.has(hash)) return;
    if (this.size < K) {
      this.members.add(hash);
      let i = this.size++;
      this.heap[i] = hash;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.heap[parent]! >= this.heap[i]!) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    if (hash >= this.heap[0]!) return;
    this.members.delete(this.heap[0]!);
    this.members.add(hash);
    this.heap[0] = hash;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < K && this.heap[left]! > this.heap[largest]!) largest = left;
      if (right < K && this.heap[right]! > this.heap[largest]!) largest = right;
      if (largest === i) break;
      this.swap(i, largest);
      i = largest;
    }
  }

  /** Exact below k distinct hashes, else (k − 1)/U_(k) with U_(k) the k-th smallest hash in (0, 1]. */
  estimate(): number {
    if (this.size < K) return this.size;
    return Math.round((K - 1) / ((this.heap[0]! + 1) / TWO_32));
  }

  private swap(i: number, j: number): void {
    const t = this.heap[i]!;
    this.heap[i] = this.heap[j]!;
    this.heap[j] = t;
  }
}
