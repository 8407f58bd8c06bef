import { describe, expect, it } from 'vitest';
import { driftView, psiLevel } from './drift-view.ts';
import { profileColumns, profileSummary, readHistogram } from './profile-view.ts';

describe('profileColumns', () => {
  it('reads a columns array with edges + counts histograms and orders statistics', () => {
    const columns = profileColumns({
      rows: 3,
      columns: [
        {
          name: 'rating',
          type: 'number',
          max: 5,
          min: 1,
          mean: 3.2,
          count: 3,
          missing: 0,
          histogram: { edges: [1, 3, 5], counts: [1, 2] },
        },
        { name: 'user', type: 'string', distinct: 2, top: [{ value: 'u1', count: 2 }] },
      ],
    });
    expect(columns.map((c) => c.name)).toEqual(['rating', 'user']);
    expect(columns[0]!.stats.map((s) => s.label)).toEqual(['count', 'missing', 'mean', 'min', 'max']);
    expect(columns[0]!.histogram).toEqual([
      { label: '1–3', count: 1 },
      { label: '3–5', count: 2 },
    ]);
    expect(columns[1]!.top).toEqual([{ value: 'u1', count: 2 }]);
    expect(columns[1]!.histogram).toBeNull();
  });

  it('reads a map of columns (the API test fixture shape) and a profile with no columns', () => {
    expect(profileColumns({ user: { distinct: 3 } })).toEqual([
      { name: 'user', type: null, stats: [{ label: 'distinct', value: 3 }], histogram: null, top: null },
    ]);
    expect(profileColumns(null)).toEqual([]);
    expect(profileSummary({ rows: 10, columns: [] })).toEqual([{ label: 'rows', value: 10 }]);
  });

  it('reads histograms given as bins', () => {
    expect(
      readHistogram([
        { lo: 0, hi: 0.5, count: 4 },
        { lo: 0.5, hi: 1, count: 6 },
      ]),
    ).toEqual([
      { label: '0–0.5', count: 4 },
      { label: '0.5–1', count: 6 },
    ]);
    expect(readHistogram([2, 3])).toEqual([
      { label: '0', count: 2 },
      { label: '1', count: 3 },
    ]);
    expect(readHistogram([{ lo: 0 }])).toBeNull();
  });
});

describe('driftView', () => {
  it('uses the conventional PSI bands when no verdict is stored', () => {
    expect(psiLevel(0.05)).toBe('none');
    expect(psiLevel(0.2)).toBe('moderate');
    expect(psiLevel(0.4)).toBe('drifted');
    const view = driftView({ user: { psi: 0.01 }, rating: { psi: 0.3, ks: 0.2 } })!;
    expect(view.columns.map((c) => [c.column, c.level])).toEqual([
      ['user', 'none'],
      ['rating', 'drifted'],
    ]);
    expect(view.overall).toBe('drifted');
    expect(view.columns[1]!.stats).toEqual([
      { label: 'psi', value: 0.3 },
      { label: 'ks', value: 0.2 },
    ]);
  });

  it('prefers a stored verdict, overall and per column', () => {
    const view = driftView({
      drifted: false,
      reasons: ['all columns stable'],
      columns: [{ column: 'x', psi: 0.3, drifted: false }],
    })!;
    expect(view.overall).toBe('none');
    expect(view.columns[0]!.level).toBe('none');
    expect(view.reasons).toEqual(['all columns stable']);
    expect(driftView(null)).toBeNull();
    expect(driftView({})!.overall).toBe('unknown');
  });
});
