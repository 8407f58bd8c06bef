import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AbReportPanels } from '../pages/ab-tests-pages.tsx';
import { degenerate, NOW, overTheWire, report } from './ab-report-fixtures.ts';

/** The page's text, tags dropped. */
const render = (r: ReturnType<typeof overTheWire>) =>
  renderToStaticMarkup(createElement(AbReportPanels, { report: r, test: null, now: NOW }));

const text = (html: string) => html.replace(/<[^>]+>/g, ' ');

describe('the A/B report panels', () => {
  it('render every panel of a typical report', () => {
    const html = render(overTheWire(report()));
    for (const id of [
      'ab-report',
      'ab-lift-chart',
      'ab-guardrails',
      'ab-secondary',
      'ab-bayesian',
      'ab-srm',
      'ab-health',
      'ab-readout',
      'ab-plan',
      'ab-history',
    ]) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain('data-verdict="better"');
    expect(text(html)).toContain('[+25.0%, +95.0%]');
    expect(text(html)).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('render a report of nulls without NaN or undefined', () => {
    const html = render(overTheWire(degenerate()));
    expect(text(html)).not.toMatch(/NaN|undefined|Infinity|null/);
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it('render a report with no treatment, no looks and no plan', () => {
    const r = report({ history: [], plan: null });
    r.analysis.treatments = [];
    r.analysis.health = [];
    const html = text(render(overTheWire(r)));
    expect(html).toContain('Not enough data to compare yet.');
    expect(html).toContain('The monitor has not looked at this test yet.');
    expect(html).toContain('No plan for this test.');
    expect(html).not.toMatch(/NaN|undefined/);
  });
});
