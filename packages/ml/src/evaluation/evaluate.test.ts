import { describe, expect, it } from 'vitest';
import {
  ClassificationAccumulator,
  RegressionAccumulator,
  averagePrecisionOvr,
  logLoss,
  rocAuc,
  rocAucOvr,
} from '../metrics/index.ts';
import {
  bucketNames,
  bucketOf,
  computeSlices,
  evaluateClassification,
  evaluateRanking,
  evaluateRegression,
  selectClassificationRows,
} from './index.ts';

/** Deterministic pseudo-random numbers (mulberry32) so the data is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function binaryData(n: number, signal: number, seed = 1): { yTrue: Uint8Array; scores: Float64Array } {
  const rnd = random(seed);
  const yTrue = Uint8Array.from({ length: n }, () => (rnd() < 0.4 ? 1 : 0));
  const scores = Float64Array.from(yTrue, (y) => Math.min(1, Math.max(0, signal * y + (1 - signal) * rnd())));
  return { yTrue, scores };
}

function noNullsOrNaN(value: unknown): void {
  expect(JSON.stringify(value)).not.toMatch(/null|NaN/);
}

describe('evaluateClassification', () => {
  it('binary: metrics equal the metric functions, curves are downsampled to 200 points', () => {
    const { yTrue, scores } = binaryData(5000, 0.3);
    const summary = evaluateClassification({ numClasses: 2, yTrue, scores });
    expect(summary.rows).toBe(5000);
    expect(summary.metrics.auc).toBe(rocAuc(yTrue, scores));
    expect(summary.metrics.logLoss).toBe(logLoss(yTrue, scores));
    for (const key of [
      'accuracy',
      'precision',
      'recall',
      'f1',
      'f1Macro',
      'averagePrecision',
      'brier',
      'ece',
    ])
      expect(summary.metrics).toHaveProperty(key);
    expect(summary.curves.roc!.length).toBeLessThanOrEqual(200);
    expect(summary.curves.roc!.length).toBeGreaterThan(100);
    expect(summary.curves.roc![0]).toMatchObject({ x: 0, y: 0 });
    expect(summary.curves.roc!.at(-1)).toMatchObject({ x: 1, y: 1 });
    expect(summary.curves.pr!.length).toBeLessThanOrEqual(200);
    expect(summary.curves.calibration).toHaveLength(10);
    expect(summary.perClass!.map((c) => c.support)).toEqual([
      yTrue.length - yTrue.reduce((a, b) => a + b, 0),
      yTrue.reduce((a, b) => a + b, 0),
    ]);
    // AUC of class 0 vs rest on 1 − p equals the AUC of class 1.
    expect(summary.perClass![0]!.auc).toBeCloseTo(summary.metrics.auc!, 12);
    noNullsOrNaN(summary);
  });

  it('binary with one class present: AUC is reported undefined, other metrics stay', () => {
    const summary = evaluateClassification({ numClasses: 2, yTrue: [1, 1, 1], scores: [0.9, 0.4, 0.8] });
    expect(summary.metrics.accuracy).toBeCloseTo(2 / 3, 15);
    expect(summary.undefinedMetrics.auc?.code).toBe('single_class');
    expect(summary.curves.roc).toBeUndefined();
    noNullsOrNaN(summary);
  });

  it('multiclass: per-class scores, top-k, one-vs-rest curves, top-label calibration', () => {
    const rnd = random(7);
    const n = 600;
    const c = 5;
    const yTrue = Uint8Array.from({ length: n }, () => Math.floor(rnd() * c));
    const scores = new Float64Array(n * c);
    yTrue.forEach((y, i) => {
      let sum = 0;
      for (let j = 0; j < c; j++) sum += scores[i * c + j] = rnd() + (j === y ? 0.8 : 0);
      for (let j = 0; j < c; j++) scores[i * c + j]! /= sum;
    });
    const acc = new ClassificationAccumulator({ numClasses: c });
    for (let start = 0; start < n; start += 128)
      acc.add(yTrue.subarray(start, start + 128), scores.subarray(start * c, (start + 128) * c));
    const summary = evaluateClassification(acc, { classNames: ['a', 'b', 'c', 'd', 'e'] });
    expect(summary.metrics.auc).toBeGreaterThan(0.7);
    const matrix = { data: scores, cols: c };
    expect(summary.metrics.auc).toBe(rocAucOvr(yTrue, matrix, 'macro'));
    expect(summary.metrics.aucWeighted).toBe(rocAucOvr(yTrue, matrix, 'weighted'));
    expect(summary.metrics.averagePrecision).toBe(averagePrecisionOvr(yTrue, matrix, 'macro'));
    expect(summary.metrics.top3Accuracy).toBeGreaterThan(summary.metrics.accuracy!);
    expect(summary.metrics.f1).toBe(summary.metrics.f1Macro);
    expect(summary.metrics.precisionMicro).toBeCloseTo(summary.metrics.accuracy!, 15);
    expect(summary.perClass!.map((p) => p.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(summary.curves.rocPerClass).toHaveLength(5);
    expect(summary.confusionMatrix!.flat().reduce((a, b) => a + b, 0)).toBe(n);
    noNullsOrNaN(summary);
  });

  it('0 rows: every metric undefined, nothing NaN', () => {
    const summary = evaluateClassification({ numClasses: 3, yTrue: [], scores: [] });
    expect(summary.metrics).toEqual({});
    expect(summary.undefinedMetrics.accuracy?.code).toBe('empty_input');
    const missingClass = evaluateClassification({
      numClasses: 3,
      yTrue: [0, 1],
      scores: [0.8, 0.1, 0.1, 0.2, 0.7, 0.1],
    });
    expect(missingClass.undefinedMetrics.auc?.reason).toContain('class 2 has no row');
    expect(missingClass.perClass![0]!.auc).toBe(1);
    noNullsOrNaN(summary);
  });
});

describe('computeSlices', () => {
  it('evaluates each segment and reports a declared empty one as empty', () => {
    const { yTrue, scores } = binaryData(400, 0.4, 3);
    const lengths = Array.from(yTrue, (_, i) => (i * 37) % 90); // text lengths 0..89
    const input = { numClasses: 2, yTrue, scores };
    const rows = Array.from(yTrue.keys());
    const slices = computeSlices(
      rows,
      (i) => bucketOf(lengths[i]!, [20, 50, 100]),
      (group) => evaluateClassification(selectClassificationRows(input, group)),
      { segments: bucketNames([20, 50, 100]) },
    );
    expect(slices.map((s) => s.segment)).toEqual(['<20', '[20, 50)', '[50, 100)', '≥100']);
    expect(slices[3]).toEqual({ segment: '≥100', count: 0, empty: true });
    expect(slices.reduce((sum, s) => sum + s.count, 0)).toBe(400);
    const first = slices[0]!;
    if (first.empty) return expect.fail('slice <20 should have rows');
    expect(first.metrics.auc).toBe(
      rocAuc(
        rows.filter((i) => lengths[i]! < 20).map((i) => yTrue[i]!),
        rows.filter((i) => lengths[i]! < 20).map((i) => scores[i]!),
      ),
    );
    noNullsOrNaN(slices);
  });

  it('per-class slices: AUC of a one-class slice is undefined with its reason', () => {
    const input = { numClasses: 2, yTrue: [0, 1, 1, 0, 1], scores: [0.2, 0.9, 0.6, 0.4, 0.3] };
    const slices = computeSlices(
      [0, 1, 2, 3, 4],
      (i) => `class ${input.yTrue[i]}`,
      (g) => evaluateClassification(selectClassificationRows(input, g)),
    );
    const positives = slices.find((s) => s.segment === 'class 1')!;
    if (positives.empty) return expect.fail('class 1 slice is not empty');
    expect(positives.count).toBe(3);
    expect(positives.metrics.recall).toBeCloseTo(2 / 3, 15);
    expect(positives.undefinedMetrics.auc?.code).toBe('single_class');
  });
});

describe('evaluateRegression', () => {
  it('from arrays or an accumulator fed in batches', () => {
    const summary = evaluateRegression({ yTrue: [1, 2, 3, 4], yPred: [1.5, 2, 2.5, 4] });
    expect(summary.metrics).toEqual({ mse: 0.125, rmse: Math.sqrt(0.125), mae: 0.25, r2: 1 - 0.5 / 5 });
    const acc = new RegressionAccumulator().add([1, 2], [1.5, 2]).add([3, 4], [2.5, 4]);
    expect(evaluateRegression(acc).metrics).toEqual(summary.metrics);
    expect(evaluateRegression({ yTrue: [], yPred: [] }).undefinedMetrics.rmse?.code).toBe('empty_input');
  });
});

describe('evaluateRanking', () => {
  it('reports metrics per k and the most-popular baseline on the same users', () => {
    const users = [
      { userId: 1, recommended: ['x', 'a', 'y'], relevant: ['a'] },
      {
        userId: 2,
        recommended: ['b', 'z', 'w'],
        relevant: new Map([
          ['b', 2],
          ['q', 1],
        ]),
      },
      { userId: 3, recommended: ['p', 'q', 'r'], relevant: [] },
    ];
    const summary = evaluateRanking({
      users,
      ks: [1, 3],
      catalogueSize: 20,
      popularity: {
        ranking: ['a', 'b', 'c', 'd'],
        seen: (u) => (u.userId === 1 ? new Set(['b']) : undefined),
      },
    });
    expect(summary.usersWithoutRelevant).toBe(1);
    expect(summary.metrics['hitRate@1']).toBe(0.5);
    expect(summary.metrics['hitRate@3']).toBe(1);
    expect(summary.metrics['precision@3']).toBeCloseTo(1 / 3, 15);
    expect(summary.metrics['coverage@1']).toBeCloseTo(3 / 20, 15);
    // Baseline: user 1 gets [a, c, d] (b seen), user 2 gets [a, b, c].
    expect(summary.popularityBaseline!.metrics['hitRate@1']).toBe(0.5);
    expect(summary.popularityBaseline!.comparison['hitRate@3']).toEqual({
      model: 1,
      baseline: 1,
      delta: 0,
      lift: 1,
    });
    noNullsOrNaN(summary);
  });
});
