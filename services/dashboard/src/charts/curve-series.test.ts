import { describe, expect, it } from 'vitest';
import { overlayCurves } from './curve-series.ts';

describe('overlayCurves', () => {
  it('puts overlaid curves on one ascending x column, each valued only at its own points', () => {
    const data = overlayCurves([
      {
        name: 'v1',
        points: [
          { x: 0, y: 0 },
          { x: 0.5, y: 0.8 },
          { x: 1, y: 1 },
        ],
      },
      {
        name: 'v2',
        points: [
          { x: 0, y: 0 },
          { x: 0.25, y: 0.9 },
          { x: 1, y: 1 },
        ],
      },
    ]);
    expect(data).toEqual([
      [0, 0, 0.25, 0.5, 1, 1],
      [0, null, null, 0.8, 1, null],
      [null, 0, 0.9, null, null, 1],
    ]);
  });

  it('keeps the vertical runs of a ROC curve in drawing order', () => {
    const [xs, ys] = overlayCurves([
      {
        name: 'roc',
        points: [
          { x: 0, y: 0 },
          { x: 0, y: 0.5 },
          { x: 0.5, y: 0.5 },
          { x: 0.5, y: 1 },
          { x: 1, y: 1 },
        ],
      },
    ]);
    expect(xs).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(ys).toEqual([0, 0.5, 0.5, 1, 1]);
  });

  it('turns a curve stored from high to low x (scikit-learn precision-recall) around', () => {
    const [xs, ys] = overlayCurves([
      {
        name: 'pr',
        points: [
          { x: 1, y: 0.5 },
          { x: 0.5, y: 0.8 },
          { x: 0, y: 1 },
        ],
      },
    ]);
    expect(xs).toEqual([0, 0.5, 1]);
    expect(ys).toEqual([1, 0.8, 0.5]);
  });
});
