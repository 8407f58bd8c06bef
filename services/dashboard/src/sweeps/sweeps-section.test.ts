import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SweepResource } from '@lathe/contract';
import { SweepsSection } from './sweeps-section.tsx';

const trial = (runId: string, value: number | null, rank: number | null) => ({
  runId,
  runIds: [runId],
  foldValues: [value],
  modelVersionId: null,
  status: value === null ? 'running' : 'succeeded',
  hyperparameters: { learningRate: value ?? 0 },
  keptEpoch: value === null ? null : 4,
  value,
  rank,
  errorCode: null,
});

const sweep: SweepResource = {
  id: '11111111-2222-4333-8444-555555555555',
  experimentId: '11111111-2222-4333-8444-666666666666',
  space: { strategy: 'grid' },
  metric: 'valLoss',
  folds: 1,
  direction: 'min',
  status: 'running',
  trials: [
    trial('aaaaaaaa-0000-4000-8000-000000000001', 0.21, 1),
    trial('bbbbbbbb-0000-4000-8000-000000000002', null, null),
  ],
  best: trial('aaaaaaaa-0000-4000-8000-000000000001', 0.21, 1),
  promotedRunId: null,
  promotedAt: null,
  createdAt: '2026-12-05T00:00:00.000Z',
};

describe('the sweeps table', () => {
  it('lists the trials ranked, the best marked, unranked trials as dashes', () => {
    const html = renderToStaticMarkup(createElement(SweepsSection, { sweeps: [sweep] }));
    const text = html.replace(/<[^>]+>/g, ' ');
    expect(html.match(/data-testid="sweep-trial"/g)).toHaveLength(2);
    expect(text).toContain('1 (best)');
    expect(text).toContain('2 trials ranked by valLoss (lower is better)');
    expect(html).toContain('#/runs/aaaaaaaa-0000-4000-8000-000000000001');
    expect(text).not.toMatch(/NaN|undefined|null/);
  });

  it('says how to start one when there is none', () => {
    const text = renderToStaticMarkup(createElement(SweepsSection, { sweeps: [] })).replace(/<[^>]+>/g, ' ');
    expect(text).toContain('No sweep yet');
  });
});
