import { describe, expect, it } from 'vitest';
import { latestValues, metricCharts, overlaidMetricCharts, splitMetricName } from './metric-series.ts';

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

describe('overlaidMetricCharts', () => {
  it('puts each run’s curves of one metric on one chart, named after the run, over the union of epochs', () => {
    const charts = overlaidMetricCharts([
      {
        label: 'v1',
        series: {
          loss: [
            { step: 1, value: 0.9 },
            { step: 2, value: 0.7 },
          ],
          valLoss: [
            { step: 1, value: 1 },
            { step: 2, value: 0.8 },
          ],
        },
      },
      {
        label: 'v2',
        series: {
          loss: [
            { step: 1, value: 0.8 },
            { step: 2, value: 0.5 },
            { step: 3, value: 0.4 },
          ],
          acc: [{ step: 3, value: 0.9 }],
        },
      },
    ]);
    expect(charts.map((c) => c.key)).toEqual(['loss', 'acc']);
    expect(charts[0]!.series).toEqual([
      { name: 'v1 loss', validation: false },
      { name: 'v1 valLoss', validation: true },
      { name: 'v2 loss', validation: false },
    ]);
    expect(charts[0]!.data).toEqual([
      [1, 2, 3],
      [0.9, 0.7, null],
      [1, 0.8, null],
      [0.8, 0.5, 0.4],
    ]);
    expect(charts[1]!.series).toEqual([{ name: 'v2 acc', validation: false }]);
  });
});
