/**
 * The dashboard's main pages in real Chromium against the real API, on data made by the real
 * pipeline (seed-dashboard-story.ts): the overview, an evaluation (its ROC curve and confusion
 * heatmap drawn from the stored numbers), the comparison of two versions, and the A/B test
 * while it runs and once the rollout monitor has decided. No page may log a console error. The
 * evaluation and A/B pages are saved at 1280×800 for the README: to docs/images/ when asked
 * (`LATHE_UPDATE_SCREENSHOTS=1 npm test`, so its pictures are of the current dashboard), else
 * beside the test results, so a test run leaves the checkout as it found it.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDashboardBuilt,
  launchChromium,
  type Browser,
  type Page,
} from '../../services/dashboard/e2e/browser.ts';
import { formatMetric, formatPercent, formatRelative } from '../../services/dashboard/src/format/format.ts';
import { startTestApi, type TestApi } from '../api/api-harness.ts';
import { decideAbTest, seedDashboardStory, type DashboardStory } from './seed-dashboard-story.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const IMAGES =
  process.env.LATHE_UPDATE_SCREENSHOTS === '1'
    ? join(REPO_ROOT, 'docs', 'images')
    : join(REPO_ROOT, '.lathe', 'test-results', 'screenshots');

let api: TestApi;
let browser: Browser;
let page: Page;
let story: DashboardStory;
const consoleErrors: string[] = [];

/** Set LATHE_E2E_SCREENSHOTS=<dir> to keep a picture of the other pages too (for a person to look at). */
async function snap(name: string) {
  const dir = process.env.LATHE_E2E_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

async function stored(path: string) {
  const response = await api.request('GET', path, { key: api.keys.viewer });
  expect(response.status).toBe(200);
  return response.body;
}

/** True when the chart's canvas has drawn pixels (a chart that failed to draw stays blank). */
async function canvasIsDrawn(selector: string): Promise<boolean> {
  // A string, evaluated in the page: this file is type-checked without the DOM library.
  return (await page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(`${selector} canvas`)});
    if (!canvas) return false;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
    return false;
  })()`)) as boolean;
}

beforeAll(async () => {
  browser = await launchChromium();
  const dist = await ensureDashboardBuilt();
  api = await startTestApi('dashboard-pages', { dashboardDir: dist });
  story = await seedDashboardStory(api);
  // One context for every tab, so they share the key kept in localStorage.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(`${api.url}/`);
  await page.getByLabel('API key').fill(api.keys.viewer);
  await page.getByRole('button', { name: 'Use this key' }).click();
}, 300_000);

afterEach(() => {
  expect(consoleErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await story?.cleanup();
  await api?.close();
});

describe('dashboard pages on pipeline data, in Chromium', () => {
  it('opens on the overview: runs by status, queues, the running A/B test, live deployments, the failed run', async () => {
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const count = (status: string) =>
      page.getByTestId('run-counts').locator(`li[data-status="${status}"] strong`).textContent();
    await expect.poll(() => count('succeeded')).toBe('2');
    expect(await count('failed')).toBe('1');
    expect(await count('running')).toBe('0');
    expect(await page.getByTestId('queue-depths').locator('tbody tr').count()).toBeGreaterThanOrEqual(4);

    const abTest = page.getByTestId('running-ab-tests').locator('tbody tr');
    await expect.poll(() => abTest.count()).toBe(1);
    // The monitor advanced the test to its second step: 50% of the traffic to the challenger.
    expect(await abTest.textContent()).toMatch(/churn-mlp.*conversion.*50%.*2/);
    // v1 serves the other half as production; the challenger's deployment is rolling out.
    const deployments = await page.getByTestId('live-deployments').locator('tbody tr').allTextContents();
    expect(deployments).toHaveLength(2);
    expect(deployments).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^churn-mlpchurn-mlp v3ab testrolling out50%/),
        expect.stringMatching(/^churn-mlpchurn-mlp v1directactive50%/),
      ]),
    );

    await snap('overview');
    const failure = page.getByTestId('failed-runs').locator('tbody tr');
    expect(await failure.textContent()).toMatch(/evaluate.*gate_failed/);
    await failure.getByRole('link').click();
    await expect.poll(() => page.getByTestId('run-error').textContent()).toMatch(/gate_failed/);
    expect(page.url()).toContain(`#/runs/${story.failedRunId}`);
  });

  it('draws an evaluation’s stored ROC curve and confusion matrix, with calibration and slices', async () => {
    const evaluation = await stored(`/evaluations/${story.v2Evaluation}`);
    const { roc, pr, confusionMatrix } = evaluation.curves as {
      roc: unknown[];
      pr: unknown[];
      confusionMatrix: number[][];
    };
    await page.goto(`${api.url}/#/evaluations/${story.v2Evaluation}`);

    const rocFigure = page.locator('figure[data-chart="roc"]');
    await rocFigure.locator('canvas').first().waitFor();
    expect(await rocFigure.getAttribute('data-points')).toBe(String(roc.length));
    expect(await rocFigure.locator('figcaption').textContent()).toBe(
      `ROC · AUC ${formatMetric(evaluation.metrics.auc)}`,
    );
    expect(await canvasIsDrawn('figure[data-chart="roc"]')).toBe(true);
    expect(await page.locator('figure[data-chart="pr"]').getAttribute('data-points')).toBe(String(pr.length));

    const cells = page.getByTestId('confusion-matrix').locator('td[data-count]');
    const classes = ['churn', 'stay'];
    expect(await cells.count()).toBe(4);
    for (const [i, row] of confusionMatrix.entries()) {
      const rowTotal = row.reduce((a, b) => a + b, 0);
      for (const [j, value] of row.entries()) {
        const cell = page
          .getByTestId('confusion-matrix')
          .locator(`td[data-true="${classes[i]}"][data-predicted="${classes[j]}"]`);
        expect(await cell.getAttribute('data-count')).toBe(String(value));
        expect(await cell.textContent()).toBe(`${value}${formatPercent(value / rowTotal)}`);
      }
    }
    expect(confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(60);

    await page.locator('figure[data-chart="calibration"] canvas').first().waitFor();
    expect(await page.getByTestId('slices').locator('tbody td:first-child').allTextContents()).toEqual([
      'class=churn',
      'class=stay',
    ]);
    // Lift and gains are drawn exactly when the evaluation stored them.
    const gains = (evaluation.curves as { gains?: unknown[] }).gains;
    expect(await page.getByTestId('lift-gains').count()).toBe(gains ? 1 : 0);
    if (gains)
      expect(await page.locator('figure[data-chart="gains"]').getAttribute('data-points')).toBe(
        String(gains.length),
      );
    // The global explanation the evaluate stage stored: one labelled bar per feature, most important first.
    const explanation = evaluation.explanations as { importances: { feature: string }[] };
    const importance = page.getByTestId('global-importance');
    await importance.waitFor();
    expect(await importance.locator('text').allTextContents()).toEqual(
      explanation.importances.slice(0, 20).map((i) => i.feature),
    );
    expect(await importance.locator('rect').count()).toBe(Math.min(20, explanation.importances.length));
    mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: join(IMAGES, 'evaluation.png') });
  });

  it('compares two versions: the differing hyperparameters, metric changes, ROC and training curves overlaid', async () => {
    const comparison = await stored(`/evaluations/compare?a=${story.v1Evaluation}&b=${story.v2Evaluation}`);
    // Picked on the model's page, as a user picks them: v1 first, the one v3 is measured against.
    await page.goto(`${api.url}/#/models/${story.modelName}`);
    for (const id of [story.v1Evaluation, story.v2Evaluation])
      await page.getByLabel(`pick evaluation ${id.slice(0, 8)}`).check();
    await page.getByRole('link', { name: 'Compare the 2 picked evaluations' }).click();
    const diff = page.getByTestId('hyperparameter-diff').locator('tbody tr');
    await expect.poll(() => diff.count()).toBe(2);
    expect(await diff.allTextContents()).toEqual(['epochs28', 'hiddenUnits[8][16]']);

    const accuracy = comparison.metrics.find((m: { metric: string }) => m.metric === 'accuracy');
    const row = page.getByTestId('comparison').locator('tr[data-metric="accuracy"] td');
    expect(await row.allTextContents()).toEqual([
      'accuracy',
      formatMetric(accuracy.a),
      formatMetric(accuracy.b),
      accuracy.difference === 0
        ? `0 (${formatRelative(accuracy.relative)})`
        : `${accuracy.difference > 0 ? '+' : ''}${formatMetric(accuracy.difference)} (${formatRelative(accuracy.relative)})`,
    ]);

    const [v1, v2] = await Promise.all(
      [story.v1Evaluation, story.v2Evaluation].map((id) => stored(`/evaluations/${id}`)),
    );
    const overlaid = page.getByTestId('compare-curves').locator('figure[data-chart="roc"]');
    expect(await overlaid.getAttribute('data-points')).toBe(
      `${v1.curves.roc.length},${v2.curves.roc.length}`,
    );
    // Versions are numbered per model: the failed run registered one between them.
    const [m1, m2] = await Promise.all([v1, v2].map((e) => stored(`/model-versions/${e.modelVersionId}`)));
    expect([m1.version, m2.version]).toEqual([1, 3]);
    const loss = page.getByTestId('training-curves').locator('figure[data-metric="loss"]');
    await loss.locator('canvas').first().waitFor();
    await snap('compare');
    const legend = await loss.locator('.u-legend .u-series').allTextContents();
    expect(legend.map((l) => l.replace(/-+$/, ''))).toEqual([
      'epoch',
      'churn-mlp v1 loss',
      'churn-mlp v1 valLoss',
      'churn-mlp v3 loss',
      'churn-mlp v3 valLoss',
    ]);
  });

  it('says which evaluation does not exist, on the evaluation and compare pages', async () => {
    // Its own tab (same key): the browser logs every 404 answer as a console error, as it should.
    const tab = await page.context().newPage();
    const ghost = randomUUID();
    await tab.goto(`${api.url}/#/evaluations/${ghost}`);
    await expect.poll(() => tab.getByRole('alert').textContent()).toContain(ghost);
    await tab.goto(`${api.url}/#/evaluations/compare?ids=${story.v1Evaluation},${ghost}`);
    await expect.poll(() => tab.getByRole('alert').textContent()).toMatch(new RegExp(`^Compare: .*${ghost}`));
    await tab.close();
  });

  it('shows the A/B test live, then the monitor’s decision with its lift and interval', async () => {
    await page.goto(`${api.url}/#/ab-tests/${story.abTestId}`);
    await page.getByTestId('ab-report').locator('tr[data-verdict]').nth(1).waitFor();
    expect(await page.locator('h1 [data-status]').getAttribute('data-status')).toBe('running');

    const variants = page.getByRole('row', { name: /^treatment treatment 50%/ });
    expect(await variants.getByRole('link').textContent()).toBe('churn-mlp v3');

    // The page follows the test: the monitor's decision shows up without a reload.
    await decideAbTest(api, story);
    await expect
      .poll(() => page.locator('h1 [data-status]').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('promoted');
    const report = await stored(`/ab-tests/${story.abTestId}/report`);
    const primary = report.analysis.treatments[0].primary;
    const treatment = page.getByTestId('ab-report').locator('tr[data-verdict="better"]');
    const text = await treatment.textContent();
    expect(text).toContain(formatRelative(primary.relative.estimate));
    const [low, high] = primary.relative.sequentialInterval as [number, number];
    expect(low).toBeGreaterThan(0);
    expect(text).toContain(`[${formatRelative(low)}, ${formatRelative(high)}]`);
    expect(await page.getByText(report.decision, { exact: true }).count()).toBeGreaterThan(0);
    expect(report.decision).toBe('promote');
    await page.screenshot({ path: join(IMAGES, 'ab-test.png') });
  });
});
