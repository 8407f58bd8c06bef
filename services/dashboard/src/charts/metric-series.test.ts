import { describe, expect, it } from 'vitest';
import { latestValues, metricCharts, splitMetricName } from './metric-series.ts';

describe('splitMetricName', () => {
  it('recognises camelCase and snake_case validation twins', () => {
    expect(splitMetricName('valLoss')).toEqual({ base: 'loss', validation: true });
    expect(splitMetricName('val_acc')).toEqual({ base: 'acc', validation: true });
    expect(splitMetricName('validation-auc')).toEqual({ base: 'auc', validation: true });
    expect(splitMetricName('loss')).toEqual({ base: 'loss', validation: false });
    // "value" and "valley" are not validation metrics.
    expect(splitMetricName('value')).toEqual({ base: 'value', validation: false });
    expect(splitMetricName('val')).toEqual({ base: 'val', validation: false });
  });
});

describe('metricCharts', () => {
  it('puts a metric and its validation twin on one chart, aligned on steps, loss first', () => {
    const charts = metricCharts({
      samplesPerSecond: [{ step: 1, value: 900 }],
      valAcc: [
        { step: 1, value: 0.7 },
        { step: 2, value: 0.8 },
      ],
      acc: [
        { step: 1, value: 0.75 },
        { step: 2, value: 0.85 },
      ],
      valLoss: [{ step: 2, value: 0.6 }],
      loss: [
        { step: 1, value: 0.9 },
        { step: 2, value: 0.5 },
      ],
      empty: [],
    });
    expect(charts.map((c) => c.key)).toEqual(['loss', 'acc', 'samplesPerSecond']);
    const loss = charts[0]!;
    expect(loss.title).toBe('loss / valLoss');
    expect(loss.series).toEqual([
      { name: 'loss', validation: false },
      { name: 'valLoss', validation: true },
    ]);
    expect(loss.data).toEqual([
      [1, 2],
      [0.9, 0.5],
      [null, 0.6],
    ]);
  });

  it('turns non-finite values into gaps', () => {
    const [chart] = metricCharts({
      loss: [
        { step: 1, value: Number.NaN },
        { step: 2, value: 1 },
      ],
    });
    expect(chart!.data[1]).toEqual([null, 1]);
  });
});

describe('latestValues', () => {
  it('takes the last point of each series', () => {
    expect(
      latestValues({
        loss: [
          { step: 1, value: 2 },
          { step: 3, value: 1 },
        ],
        acc: [],
      }),
    ).toEqual([{ name: 'loss', step: 3, value: 1 }]);
  });
});
