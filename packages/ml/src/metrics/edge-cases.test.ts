import { describe, expect, it } from 'vitest';
import { LatheError, ValidationError } from '@lathe/core';
import {
  ClassificationAccumulator,
  RegressionAccumulator,
  accuracy,
  averagePrecision,
  brierScore,
  calibrationBins,
  catalogueCoverage,
  downsampleCurve,
  isUndefinedMetric,
  logLoss,
  ndcgAtK,
  partitionMetrics,
  popularityRanking,
  popularityRecommendations,
  precisionAtK,
  precisionRecallF1,
  rankingMetrics,
  recallAtK,
  averagePrecisionAtK,
  regressionMetrics,
  rocAuc,
  rocAucOvr,
  rocCurve,
  topKAccuracy,
  uniformBinOf,
} from './index.ts';
import type { UndefinedMetric } from './index.ts';

function codeOf(value: unknown): string | undefined {
  return isUndefinedMetric(value) ? (value as UndefinedMetric).code : undefined;
}

describe('undefined metrics are values, never NaN', () => {
  it('empty inputs', () => {
    expect(codeOf(accuracy([], []))).toBe('empty_input');
    expect(codeOf(logLoss([], []))).toBe('empty_input');
    expect(codeOf(brierScore([], []))).toBe('empty_input');
    expect(codeOf(rocAuc([], []))).toBe('empty_input');
    expect(codeOf(averagePrecision([], []))).toBe('empty_input');
    expect(codeOf(topKAccuracy([], { data: [], cols: 4 }, 2))).toBe('empty_input');
    expect(codeOf(precisionRecallF1([], [], 3))).toBe('empty_input');
    expect(codeOf(regressionMetrics([], []).rmse)).toBe('empty_input');
    expect(codeOf(calibrationBins([], []).ece)).toBe('empty_input');
  });

  it('a single class present: ROC AUC says which, the stage goes on', () => {
    const auc = rocAuc([1, 1, 1], [0.2, 0.5, 0.9]);
    expect(codeOf(auc)).toBe('single_class');
    expect((auc as UndefinedMetric).reason).toContain('only class 1 present');
    expect(codeOf(rocCurve([0, 0], [0.2, 0.5]))).toBe('single_class');
    const ovr = rocAucOvr(
      [0, 1, 1],
      [
        [0.5, 0.3, 0.2],
        [0.1, 0.8, 0.1],
        [0.2, 0.6, 0.2],
      ],
    );
    expect((ovr as UndefinedMetric).reason).toContain('class 2 has no row');
    expect(codeOf(averagePrecision([0, 0, 0], [0.1, 0.2, 0.3]))).toBe('no_positive');
  });

  it('partitionMetrics keeps NaN and undefined out of the stored JSON', () => {
    const { metrics, undefinedMetrics } = partitionMetrics({
      a: 0.5,
      b: rocAuc([0, 0], [0.1, 0.2]),
      c: Number.NaN,
    });
    expect(metrics).toEqual({ a: 0.5 });
    expect(Object.keys(undefinedMetrics).sort()).toEqual(['b', 'c']);
    expect(undefinedMetrics.c?.code).toBe('not_finite');
    // JSON.stringify writes NaN and Infinity as null.
    expect(JSON.stringify({ metrics, undefinedMetrics })).not.toMatch(/null/);
  });

  it('all-equal scores give AUC 0.5 and a two-point ROC curve', () => {
    expect(rocAuc([0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    const curve = rocCurve([0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3]);
    expect(isUndefinedMetric(curve) ? [] : Array.from(curve.fpr)).toEqual([0, 1]);
  });

  it('R² of one row is undefined; constant targets follow force_finite', () => {
    expect(codeOf(regressionMetrics([1], [2]).r2)).toBe('too_few_samples');
    expect(regressionMetrics([2, 2], [2, 2]).r2).toBe(1);
    expect(regressionMetrics([2, 2], [2, 3]).r2).toBe(0);
  });
});

describe('invalid input throws a ValidationError naming the row', () => {
  it('lengths, labels, scores', () => {
    expect(() => accuracy([0, 1], [0])).toThrow(/y_true has 2 rows but y_pred has 1/);
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/y_true\[1\] is 2/);
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow(/y_score\[1\] is NaN/);
    expect(() => brierScore([0, 1], [0.1, 1.2])).toThrow(ValidationError);
    expect(() =>
      rocAucOvr(
        [0, 1],
        [
          [0.9, 0.3],
          [0.5, 0.5],
        ],
      ),
    ).toThrow(/row 0 sums to 1.2/);
  });
});

describe('top-k accuracy ties', () => {
  it('ranks the larger class index first among equal scores, as scikit-learn', () => {
    // Scores tie between classes 0 and 2; sklearn ranks class 2 first.
    expect(topKAccuracy([2], [[0.4, 0.2, 0.4]], 1)).toBe(1);
    expect(topKAccuracy([0], [[0.4, 0.2, 0.4]], 1)).toBe(0);
    expect(topKAccuracy([0], [[0.4, 0.2, 0.4]], 2)).toBe(1);
  });
});

describe('calibration bins', () => {
  it('put p on an inner edge in the lower bin (searchsorted, side=left) and report empty bins', () => {
    expect(uniformBinOf(0.2, 5)).toBe(0);
    expect(uniformBinOf(0.2000001, 5)).toBe(1);
    expect(uniformBinOf(0, 5)).toBe(0);
    expect(uniformBinOf(1, 5)).toBe(4);
    const report = calibrationBins([1, 0, 1], [0.95, 0.91, 0.05], 10);
    expect(report.bins.filter((b) => b.empty)).toHaveLength(8);
    expect(report.bins[9]).toMatchObject({ count: 2, empty: false, fractionPositive: 0.5 });
    expect(report.ece).toBeCloseTo((2 / 3) * Math.abs(0.5 - 0.93) + (1 / 3) * Math.abs(1 - 0.05), 12);
  });
});

describe('ClassificationAccumulator', () => {
  it('batches give the same values as one call', () => {
    const y = [0, 1, 2, 1, 0, 2, 2, 1];
    const p = [
      0.7, 0.2, 0.1, 0.1, 0.6, 0.3, 0.2, 0.2, 0.6, 0.3, 0.3, 0.4, 0.5, 0.4, 0.1, 0.1, 0.1, 0.8, 0.3, 0.3, 0.4,
      0.2, 0.5, 0.3,
    ];
    const acc = new ClassificationAccumulator({ numClasses: 3 });
    acc.add(y.slice(0, 3), Float32Array.from(p.slice(0, 9))).add(y.slice(3), Float32Array.from(p.slice(9)));
    const { yTrue, scores } = acc.snapshot();
    expect(Array.from(yTrue)).toEqual(y);
    expect(logLoss(yTrue, scores)).toBeCloseTo(
      logLoss(y, { data: Float32Array.from(p), cols: 3 }) as number,
      12,
    );
  });

  it('keeps P(class 1) for binary from N×2 or N values', () => {
    const a = new ClassificationAccumulator({ numClasses: 2 }).add([0, 1], [0.8, 0.2, 0.3, 0.7]);
    const b = new ClassificationAccumulator({ numClasses: 2 }).add([0, 1], [0.2, 0.7]);
    expect(Array.from(a.snapshot().scores.data)).toEqual(Array.from(b.snapshot().scores.data));
  });

  it('refuses a batch of the wrong shape and past its memory bound', () => {
    const acc = new ClassificationAccumulator({ numClasses: 3, maxStoredScores: 6 });
    expect(() => acc.add([0, 1], [0.1, 0.9])).toThrow(/expected 6/);
    acc.add([0, 1], [1, 0, 0, 0, 1, 0]);
    let error: unknown;
    try {
      acc.add([2], [0, 0, 1]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).code).toBe('evaluation_too_large');
  });
});

describe('RegressionAccumulator', () => {
  it('batches equal one call, and Welford stays exact with a large offset', () => {
    const y = Array.from({ length: 1000 }, (_, i) => 1e9 + (i % 7));
    const yHat = y.map((v, i) => v + ((i % 3) - 1) * 0.5);
    const acc = new RegressionAccumulator()
      .add(y.slice(0, 400), yHat.slice(0, 400))
      .add(y.slice(400), yHat.slice(400));
    const whole = regressionMetrics(y, yHat);
    expect(acc.result().mse).toBeCloseTo(whole.mse as number, 12);
    // Σ(y − ȳ)² by the textbook formula Σy² − (Σy)²/N loses every digit at 1e9; Welford does not.
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const ssTot = y.reduce((a, b) => a + (b - mean) ** 2, 0);
    const sse = y.reduce((a, b, i) => a + (b - yHat[i]!) ** 2, 0);
    expect(acc.result().r2).toBeCloseTo(1 - sse / ssTot, 9);
  });
});

describe('ranking conventions', () => {
  it('counts a repeated item once and divides precision by k', () => {
    expect(precisionAtK(['a', 'a', 'b'], ['a'], 3)).toBeCloseTo(1 / 3, 15);
    expect(precisionAtK(['a'], ['a'], 5)).toBe(0.2);
    expect(averagePrecisionAtK(['x', 'a', 'b'], ['a', 'b'], 3)).toBeCloseTo((1 / 2 + 2 / 3) / 2, 15);
  });

  it('leaves users without relevant items out of the means, and says so', () => {
    expect(codeOf(recallAtK(['a'], [], 1))).toBe('no_relevant_items');
    expect(codeOf(ndcgAtK(['a'], new Map([['a', 0]]), 1))).toBe('no_relevant_items');
    const m = rankingMetrics(
      [
        { recommended: ['a'], relevant: ['a'] },
        { recommended: ['b'], relevant: [] },
      ],
      1,
    );
    expect(m).toMatchObject({ usersEvaluated: 1, usersWithoutRelevant: 1, precisionAtK: 1, ndcgAtK: 1 });
    expect(codeOf(rankingMetrics([], 5).ndcgAtK)).toBe('empty_input');
  });

  it('NDCG uses graded gains: the better item first scores higher', () => {
    const gains = new Map([
      ['a', 3],
      ['b', 1],
    ]);
    expect(ndcgAtK(['a', 'b'], gains, 2)).toBe(1);
    expect(ndcgAtK(['b', 'a'], gains, 2) as number).toBeLessThan(1);
  });

  it('popularity ranking is deterministic and skips what a user has seen', () => {
    const ranking = popularityRanking([
      { itemId: 'b' },
      { itemId: 'a' },
      { itemId: 'c' },
      { itemId: 'c' },
      { itemId: 'a' },
    ]);
    expect(ranking).toEqual(['a', 'c', 'b']);
    expect(popularityRecommendations(ranking, 2, new Set(['a']))).toEqual(['c', 'b']);
    expect(
      catalogueCoverage(
        [
          ['a', 'b'],
          ['b', 'c'],
        ],
        10,
        1,
      ),
    ).toBe(0.2);
  });
});

describe('downsampleCurve', () => {
  it('keeps at most maxPoints, the ends, and a corner', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({
      x: i / 9999,
      y: i < 5000 ? (i / 4999) * 0.9 : 0.9 + ((i - 5000) / 4999) * 0.1,
    }));
    const out = downsampleCurve(points, 200);
    expect(out).toHaveLength(200);
    expect(out[0]).toBe(points[0]);
    expect(out[199]).toBe(points[9999]);
    expect(out.some((p) => Math.abs(p.x - 4999 / 9999) < 0.01)).toBe(true);
    expect(downsampleCurve(points.slice(0, 50), 200)).toHaveLength(50);
  });
});
