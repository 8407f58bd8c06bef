import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './routes.ts';

describe('parseRoute', () => {
  it('parses every page and round-trips href', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute(href.overview())).toEqual({ page: 'overview' });
    expect(parseRoute(href.experiments())).toEqual({ page: 'experiments' });
    expect(parseRoute(href.experiment('e1'))).toEqual({ page: 'experiment', id: 'e1' });
    expect(parseRoute(href.run('r1'))).toEqual({ page: 'run', id: 'r1' });
    expect(parseRoute(href.model('clicks mf/2'))).toEqual({ page: 'model', name: 'clicks mf/2' });
    expect(parseRoute(href.compare('a1', 'b2'))).toEqual({ page: 'compare', ids: ['a1', 'b2'] });
    expect(parseRoute(href.compare('a1', 'b 2', 'c3'))).toEqual({
      page: 'compare',
      ids: ['a1', 'b 2', 'c3'],
    });
    expect(parseRoute('#/evaluations/compare?a=x&b=y')).toEqual({ page: 'compare', ids: ['x', 'y'] });
    expect(parseRoute(href.datasetVersion('v1'))).toEqual({ page: 'dataset-version', id: 'v1' });
    expect(parseRoute(href.abTest('t1'))).toEqual({ page: 'ab-test', id: 't1' });
    expect(parseRoute(href.queues())).toEqual({ page: 'queues' });
    expect(parseRoute(href.settings())).toEqual({ page: 'settings' });
  });

  it('reports unknown paths and incomplete comparisons', () => {
    expect(parseRoute('#/nope')).toEqual({ page: 'not-found', path: '/nope' });
    expect(parseRoute('#/runs/r1/extra')).toEqual({ page: 'not-found', path: '/runs/r1/extra' });
    expect(parseRoute('#/evaluations/compare?a=x')).toMatchObject({ page: 'not-found' });
    expect(parseRoute('#/evaluations/compare?ids=x')).toMatchObject({ page: 'not-found' });
  });
});
