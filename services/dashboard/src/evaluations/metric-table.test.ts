import { describe, expect, it } from 'vitest';
import { changeDirection, metricsNote, numericMetrics } from './metric-table.ts';

describe('numericMetrics', () => {
  it('keeps finite numbers, sorted', () => {
    expect(numericMetrics({ rmse: 0.8, note: 'x', auc: 0.9, bad: Number.NaN })).toEqual([
      ['auc', 0.9],
      ['rmse', 0.8],
    ]);
    expect(numericMetrics(null)).toEqual([]);
  });
});

describe('metricsNote', () => {
  it('reads the stored note, and nothing from metrics without one', () => {
    expect(metricsNote({ c2stAccuracy: 0.9, note: 'a classifier two-sample test' })).toBe(
      'a classifier two-sample test',
    );
    expect(metricsNote({ auc: 0.9 })).toBeNull();
    expect(metricsNote({ note: '  ' })).toBeNull();
    expect(metricsNote([])).toBeNull();
  });
});

describe('changeDirection', () => {
  it('knows that errors should go down and scores up', () => {
    expect(changeDirection('rmse', -0.1)).toBe('better');
    expect(changeDirection('valLoss', 0.1)).toBe('worse');
    expect(changeDirection('accuracy', 0.02)).toBe('better');
    expect(changeDirection('ndcg@10', -0.02)).toBe('worse');
    expect(changeDirection('auc', 0)).toBe('same');
    expect(changeDirection('auc', null)).toBeNull();
  });
});
