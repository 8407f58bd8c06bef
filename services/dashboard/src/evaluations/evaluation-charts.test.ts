import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Evaluation } from '@lathe/contract';
import { EvaluationCharts } from '../pages/evaluation-page.tsx';

const base: Evaluation = {
  id: 'e1',
  modelVersionId: 'm1',
  datasetVersionId: 'd1',
  split: 'test',
  runId: null,
  metrics: {},
  verdict: 'passed',
  reasons: [],
  baselineModelVersionId: null,
  baselineMetrics: null,
  overrideReason: null,
  createdAt: '2026-01-01T00:00:00Z',
};

const render = (evaluation: Evaluation) =>
  renderToStaticMarkup(createElement(EvaluationCharts, { evaluation }));

describe('the evaluation charts', () => {
  it('say a regressor has no classifier charts, and show its slices', () => {
    const html = render({
      ...base,
      metrics: { rmse: 0.8 },
      curves: {},
      slices: [{ segment: 'tenure<12', count: 30, empty: false, metrics: { rmse: 0.9 } }],
    });
    expect(html).toContain('Not a classifier&#x27;s evaluation');
    expect(html).toContain('tenure&lt;12');
    expect(html).not.toContain('data-chart=');
    expect(html).not.toContain('confusion-matrix');
    expect(html).not.toContain('popularity-baseline');
  });

  it('show a recommender against the best-sellers, and say when no slice was evaluated', () => {
    const html = render({
      ...base,
      metrics: { 'ndcg@10': 0.25 },
      curves: {
        popularityBaseline: {
          metrics: { 'ndcg@10': 0.1 },
          comparison: { 'ndcg@10': { model: 0.25, baseline: 0.1, delta: 0.15, lift: 2.5 } },
        },
      },
      slices: [],
    });
    expect(html).toContain('data-testid="popularity-baseline"');
    expect(html).toMatch(/ndcg@10.*0\.25.*0\.1.*\+0\.15.*×2\.5/);
    expect(html).toContain('No slices were evaluated.');
  });

  it('draw a classifier’s stored curves, matrix, calibration, slices and gains', () => {
    const html = render({
      ...base,
      metrics: { auc: 0.875, averagePrecision: 0.9, ece: 0.05 },
      curves: {
        roc: [
          { x: 0, y: 0 },
          { x: 0.25, y: 0.75 },
          { x: 1, y: 1 },
        ],
        pr: [
          { x: 1, y: 0.5 },
          { x: 0, y: 1 },
        ],
        calibration: [
          { lower: 0, upper: 1, count: 8, empty: false, meanPredicted: 0.4, fractionPositive: 0.5 },
        ],
        confusionMatrix: [
          [3, 1],
          [1, 3],
        ],
        gains: [
          { x: 0.5, y: 0.75 },
          { x: 1, y: 1 },
        ],
      },
      slices: [{ segment: 'class=1', count: 4, empty: false, metrics: { accuracy: 0.75 } }],
    });
    expect(html).toContain('data-chart="roc" data-points="3"');
    expect(html).toContain('ROC · AUC 0.875');
    expect(html).toContain('data-chart="pr" data-points="2"');
    expect(html).toContain('data-chart="calibration" data-points="1"');
    expect(html).toContain('data-chart="gains" data-points="2"');
    expect(html).not.toContain('data-chart="lift"');
    expect(html.match(/data-count="\d+"/g)).toEqual([
      'data-count="3"',
      'data-count="1"',
      'data-count="1"',
      'data-count="3"',
    ]);
    expect(html).toContain('75.0%');
    expect(html).toContain('class=1');
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it('draw a multiclass evaluation’s one-vs-rest ROC curves and its full matrix', () => {
    const curve = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ x: i / (n - 1), y: Math.sqrt(i / (n - 1)) }));
    const html = render({
      ...base,
      metrics: { auc: 0.9 },
      curves: {
        rocPerClass: [
          { label: 0, name: 'shirt', points: curve(4) },
          { label: 1, name: 'shoe', points: curve(5) },
          { label: 2, name: 'bag', points: curve(3) },
        ],
        confusionMatrix: [
          [5, 1, 0],
          [0, 6, 0],
          [1, 0, 4],
        ],
        perClass: ['shirt', 'shoe', 'bag'].map((name, label) => ({
          label,
          name,
          support: 6,
          predicted: 6,
          precision: 0.8,
          recall: 0.8,
          f1: 0.8,
        })),
      },
    });
    expect(html).toContain('ROC (one class vs the rest) · AUC 0.9');
    expect(html).toContain('data-chart="roc" data-points="4,5,3"');
    expect(html).not.toContain('data-chart="pr"');
    expect(html.match(/data-count=/g)).toHaveLength(9);
    expect(html).toContain('data-true="bag" data-predicted="shirt" data-count="1"');
  });
});
