import { describe, expect, it } from 'vitest';
import type { EvaluationComparison } from '@lathe/contract';
import { formatHyperparameter, hyperparameterDiff, metricComparisonRows } from './compare-view.ts';

describe('hyperparameterDiff', () => {
  it('lists only what differs, a setting missing from a version included, nested values compared by content', () => {
    const rows = hyperparameterDiff([
      { epochs: 2, learningRate: 0.01, hiddenUnits: [16], optimizer: { name: 'adam', beta: 0.9 } },
      {
        epochs: 6,
        learningRate: 0.01,
        hiddenUnits: [16],
        optimizer: { beta: 0.9, name: 'adam' },
        dropout: 0.1,
      },
    ]);
    expect(rows).toEqual([
      { name: 'dropout', values: [undefined, 0.1] },
      { name: 'epochs', values: [2, 6] },
    ]);
    expect(rows.map((r) => r.values.map(formatHyperparameter))).toEqual([
      ['—', '0.1'],
      ['2', '6'],
    ]);
  });

  it('finds nothing to show for identical settings', () => {
    expect(hyperparameterDiff([{ a: [1, 2] }, { a: [1, 2] }, { a: [1, 2] }])).toEqual([]);
  });
});

describe('metricComparisonRows', () => {
  const comparison = (metrics: Array<[string, number | null, number | null]>): EvaluationComparison =>
    ({
      sameData: true,
      metrics: metrics.map(([metric, a, b]) => ({
        metric,
        a,
        b,
        difference: a !== null && b !== null ? b - a : null,
        relative: a !== null && b !== null ? (b - a) / a : null,
      })),
    }) as EvaluationComparison;

  it('lines up every metric of the first evaluation against each other one', () => {
    const rows = metricComparisonRows([
      comparison([
        ['accuracy', 0.8, 0.9],
        ['auc', 0.85, 0.95],
      ]),
      comparison([
        ['accuracy', 0.8, 0.7],
        ['logLoss', 0.4, 0.5],
      ]),
    ]);
    expect(rows.map((r) => r.metric)).toEqual(['accuracy', 'auc', 'logLoss']);
    expect(rows[0]!.base).toBe(0.8);
    expect(rows[0]!.others.map((o) => o.value)).toEqual([0.9, 0.7]);
    expect(rows[0]!.others[1]!.difference).toBeCloseTo(-0.1, 12);
    // A metric the second comparison lacks is blank there, not zero.
    expect(rows[1]!.others[1]).toEqual({ value: null, difference: null, relative: null });
    expect(rows[2]!.base).toBe(0.4);
  });
});
