import { describe, expect, it } from 'vitest';
import {
  calibrationPoints,
  confusionHeatmap,
  curvePoints,
  popularityRows,
  sliceTable,
} from './evaluation-view.ts';

describe('confusionHeatmap', () => {
  it('names classes from perClass and gives each cell its count, share of its true class and of all rows', () => {
    const heatmap = confusionHeatmap({
      confusionMatrix: [
        [30, 10],
        [5, 55],
      ],
      perClass: [
        { label: 0, name: 'churn', support: 40, predicted: 35, precision: 0.857, recall: 0.75, f1: 0.8 },
        { label: 1, name: 'stay', support: 60, predicted: 65, precision: 0.846, recall: 0.917, f1: 0.88 },
      ],
    })!;
    expect(heatmap.classes).toEqual(['churn', 'stay']);
    expect(heatmap.rowTotals).toEqual([40, 60]);
    expect(heatmap.columnTotals).toEqual([35, 65]);
    expect(heatmap.total).toBe(100);
    expect(heatmap.rows[0]![1]).toEqual({
      count: 10,
      rowRate: 0.25,
      share: 0.1,
      trueClass: 'churn',
      predictedClass: 'stay',
    });
    // The diagonal's row rate is the class's recall.
    expect(heatmap.rows[1]![1]!.rowRate).toBeCloseTo(55 / 60, 12);
  });

  it('falls back to class indices, leaves rates of an empty class undefined, and refuses malformed matrices', () => {
    const heatmap = confusionHeatmap({
      confusionMatrix: [
        [0, 0],
        [1, 3],
      ],
    })!;
    expect(heatmap.classes).toEqual(['0', '1']);
    expect(heatmap.rows[0]![0]!.rowRate).toBeNull();
    expect(confusionHeatmap({ confusionMatrix: [[1, 2]] })).toBeNull();
    expect(confusionHeatmap({})).toBeNull();
    expect(confusionHeatmap(null)).toBeNull();
  });
});

describe('stored curves and bins', () => {
  it('keeps well-formed points and refuses a curve with a non-numeric point', () => {
    expect(
      curvePoints([
        { x: 0, y: 0, threshold: 1.9 },
        { x: 1, y: 1 },
      ]),
    ).toHaveLength(2);
    expect(curvePoints([{ x: 0, y: null }])).toBeNull();
    expect(curvePoints([])).toBeNull();
    expect(curvePoints(undefined)).toBeNull();
  });

  it('plots the non-empty calibration bins only', () => {
    expect(
      calibrationPoints([
        { lower: 0, upper: 0.5, count: 0, empty: true },
        { lower: 0.5, upper: 1, count: 4, empty: false, meanPredicted: 0.7, fractionPositive: 0.75 },
      ]),
    ).toEqual([{ predicted: 0.7, observed: 0.75, count: 4 }]);
    expect(calibrationPoints([{ lower: 0, upper: 1, count: 0, empty: true }])).toBeNull();
  });
});

describe('sliceTable', () => {
  it('shows the headline metrics every filled slice has, and empty segments without values', () => {
    const table = sliceTable([
      {
        segment: 'class=churn',
        count: 40,
        empty: false,
        metrics: { accuracy: 0.75, f1Macro: 0.4, auc: 0.8 },
      },
      { segment: 'class=stay', count: 60, empty: false, metrics: { accuracy: 0.9, f1Macro: 0.5 } },
      { segment: 'class=other', count: 0, empty: true },
    ])!;
    expect(table.metrics).toEqual(['accuracy']);
    expect(table.rows).toEqual([
      { segment: 'class=churn', count: 40, values: [0.75] },
      { segment: 'class=stay', count: 60, values: [0.9] },
      { segment: 'class=other', count: 0, values: [null] },
    ]);
    expect(sliceTable([])).toBeNull();
  });

  it('falls back to the first shared metrics when no headline metric is there', () => {
    const table = sliceTable([
      { segment: 'a', count: 1, empty: false, metrics: { ndcgAt10: 0.3, recallAt10: 0.2 } },
    ])!;
    expect(table.metrics).toEqual(['ndcgAt10', 'recallAt10']);
  });
});

describe('popularityRows', () => {
  it('lists a ranking model against the best-sellers by metric, lift blank where the baseline scores 0', () => {
    expect(
      popularityRows({
        popularityBaseline: {
          metrics: { 'ndcg@10': 0.1, 'coverage@10': 0 },
          comparison: {
            'ndcg@10': { model: 0.25, baseline: 0.1, delta: 0.15, lift: 2.5 },
            'coverage@10': { model: 0.4, baseline: 0, delta: 0.4 },
          },
        },
      }),
    ).toEqual([
      { metric: 'coverage@10', model: 0.4, baseline: 0, delta: 0.4, lift: null },
      { metric: 'ndcg@10', model: 0.25, baseline: 0.1, delta: 0.15, lift: 2.5 },
    ]);
    expect(popularityRows({})).toBeNull();
  });
});
