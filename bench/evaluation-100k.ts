/**
 * Evaluation of 100,000 test rows × 10 classes: (a) streamed in batches of 1,024 through the
 * ClassificationAccumulator (what the evaluate stage does, each batch a Float32Array as from a
 * tensor's dataSync), against (b) one call on number[][] rows (the naive way). Prints time, the
 * heap each holds, and the ratios, measured in one process. Run: pnpm exec tsx bench/evaluation-100k.ts
 * (add --expose-gc via NODE_OPTIONS for steadier heap numbers).
 */
import { ClassificationAccumulator } from '../packages/ml/src/metrics/index.ts';
import { evaluateClassification } from '../packages/ml/src/evaluation/index.ts';

const ROWS = 100_000;
const CLASSES = 10;
const BATCH = 1024;

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One batch of labels and softmax-like probabilities, generated on demand (as a model would). */
function batch(start: number, size: number): { y: Uint8Array; p: Float32Array } {
  const rnd = random(start + 1);
  const y = Uint8Array.from({ length: size }, () => Math.floor(rnd() * CLASSES));
  const p = new Float32Array(size * CLASSES);
  for (let i = 0; i < size; i++) {
    let sum = 0;
    for (let j = 0; j < CLASSES; j++) sum += p[i * CLASSES + j] = rnd() + (j === y[i] ? 0.4 : 0);
    for (let j = 0; j < CLASSES; j++) p[i * CLASSES + j]! /= sum;
  }
  return { y, p };
}

const gc = (globalThis as { gc?: () => void }).gc;
function heapMb(): number {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

// (a) streamed
let before = heapMb();
let t0 = performance.now();
const acc = new ClassificationAccumulator({ numClasses: CLASSES });
for (let start = 0; start < ROWS; start += BATCH) {
  const { y, p } = batch(start, Math.min(BATCH, ROWS - start));
  acc.add(y, p);
}
const heldStreamed = heapMb() - before + (acc.count * (CLASSES * 8 + 2)) / 2 ** 20; // typed arrays live off-heap
const streamed = evaluateClassification(acc);
const streamedMs = performance.now() - t0;

// (b) all rows at once as number[][]
before = heapMb();
t0 = performance.now();
const yAll: number[] = [];
const rows: number[][] = [];
for (let start = 0; start < ROWS; start += BATCH) {
  const { y, p } = batch(start, Math.min(BATCH, ROWS - start));
  for (let i = 0; i < y.length; i++) {
    yAll.push(y[i]!);
    rows.push(Array.from(p.subarray(i * CLASSES, (i + 1) * CLASSES)));
  }
}
const heldNaive = heapMb() - before;
const naive = evaluateClassification({
  numClasses: CLASSES,
  yTrue: yAll,
  scores: Float64Array.from(rows.flat()),
});
const naiveMs = performance.now() - t0;

const same = Object.keys(naive.metrics).every(
  (k) => Math.abs(naive.metrics[k]! - streamed.metrics[k]!) < 1e-12,
);
console.log(`rows ${ROWS}, classes ${CLASSES}, batch ${BATCH}; metrics identical: ${same}`);
console.log(
  `auc ${streamed.metrics.auc!.toFixed(4)}, accuracy ${streamed.metrics.accuracy!.toFixed(4)}, logLoss ${streamed.metrics.logLoss!.toFixed(4)}`,
);
console.log(
  `(a) streamed accumulator: ${streamedMs.toFixed(0)} ms, ~${heldStreamed.toFixed(1)} MB held for the rows`,
);
console.log(
  `(b) number[][] at once:   ${naiveMs.toFixed(0)} ms, ~${heldNaive.toFixed(1)} MB held for the rows`,
);
console.log(
  `ratio time a/b: ${(streamedMs / naiveMs).toFixed(2)}; memory a/b: ${(heldStreamed / heldNaive).toFixed(2)}`,
);
console.log(
  `curve points: roc per class ≤ ${Math.max(...streamed.curves.rocPerClass!.map((c) => c.points.length))}`,
);
