import { describe, expect, it } from 'vitest';
import { rankTrials } from './rank-trials.ts';
import { sweepTrials } from './search-space.ts';

describe('sweep trials', () => {
  it('a grid is every combination, in the order given', () => {
    expect(
      sweepTrials({
        strategy: 'grid',
        parameters: { learningRate: [0.001, 0.01], hiddenUnits: [[16], [64, 32]] },
      }),
    ).toEqual([
      { learningRate: 0.001, hiddenUnits: [16] },
      { learningRate: 0.001, hiddenUnits: [64, 32] },
      { learningRate: 0.01, hiddenUnits: [16] },
      { learningRate: 0.01, hiddenUnits: [64, 32] },
    ]);
  });

  it('random search is seeded, stays in its ranges, and draws log-uniformly when asked', () => {
    const space = {
      strategy: 'random' as const,
      trials: 200,
      seed: 7,
      parameters: {
        learningRate: { min: 1e-4, max: 1e-1, log: true },
        epochs: { min: 2, max: 9, integer: true },
        dropout: [0, 0.2],
      },
    };
    const trials = sweepTrials(space);
    expect(sweepTrials(space)).toEqual(trials);
    expect(sweepTrials({ ...space, seed: 8 })).not.toEqual(trials);
    for (const t of trials) {
      expect(t.learningRate as number).toBeGreaterThanOrEqual(1e-4);
      expect(t.learningRate as number).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(t.epochs)).toBe(true);
      expect([0, 0.2]).toContain(t.dropout);
    }
    // Log-uniform over three decades: about a third of the draws below 1e-3 (uniform would give 1%).
    const low = trials.filter((t) => (t.learningRate as number) < 1e-3).length / trials.length;
    expect(low).toBeGreaterThan(0.25);
    expect(low).toBeLessThan(0.42);
  });

  it('refuses an empty space, a grid too large and a log range through zero', () => {
    expect(() => sweepTrials({ strategy: 'grid', parameters: {} })).toThrow(/at least one hyperparameter/);
    const big = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`p${i}`, [1, 2]]));
    expect(() => sweepTrials({ strategy: 'grid', parameters: big })).toThrow(/256 combinations; at most 200/);
    expect(() =>
      sweepTrials({ strategy: 'random', trials: 2, parameters: { l2: { min: 0, max: 1, log: true } } }),
    ).toThrow(/min > 0 for a log range/);
    expect(() => sweepTrials({ strategy: 'random', trials: 500, parameters: { l2: [0] } })).toThrow(
      /sweep.trials: Too big/,
    );
  });
});

describe('ranking trials', () => {
  it('orders by the metric in its direction, ties by start order, unscored last', () => {
    const trials = [
      { runId: 'a', value: 0.3 },
      { runId: 'b', value: null },
      { runId: 'c', value: 0.2 },
      { runId: 'd', value: 0.3 },
    ];
    expect(rankTrials(trials, 'min').map((t) => [t.runId, t.rank])).toEqual([
      ['c', 1],
      ['a', 2],
      ['d', 3],
      ['b', null],
    ]);
    expect(rankTrials(trials, 'max').map((t) => t.runId)).toEqual(['a', 'd', 'c', 'b']);
  });
});
