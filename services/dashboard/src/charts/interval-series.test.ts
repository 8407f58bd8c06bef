import { describe, expect, it } from 'vitest';
import { intervalColumns, intervalSeries } from './interval-series.ts';

const meta = { key: 'k', title: 't', labels: { estimate: 'e', lower: 'l', upper: 'u', reference: 'r' } };

describe('intervalSeries', () => {
  it('sorts by time (stably), turns non-finite values into gaps and drops unreadable times', () => {
    const chart = intervalSeries(
      [
        { at: 3000, estimate: 0.3, lower: 0.1, upper: 0.5 },
        { at: 1000, estimate: null, lower: undefined, upper: Infinity },
        { at: NaN, estimate: 1, lower: 1, upper: 1 },
        { at: 3000, estimate: 0.4, lower: -Infinity, upper: NaN },
      ],
      meta,
    );
    expect(chart.x).toEqual([1, 3, 3]);
    expect(chart.estimate).toEqual([null, 0.3, 0.4]);
    expect(chart.lower).toEqual([null, 0.1, null]);
    expect(chart.upper).toEqual([null, 0.5, null]);
    expect(chart.reference).toEqual([0, 0, 0]);
    expect(intervalColumns(chart)).toEqual([
      chart.x,
      chart.estimate,
      chart.upper,
      chart.lower,
      chart.reference,
    ]);
  });
});
