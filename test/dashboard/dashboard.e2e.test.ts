/**
 * The dashboard in a real browser against the real API: Debian's Chromium (playwright-core)
 * opens the built dashboard served by `createApp` (its own Postgres schema and Redis prefix,
 * the real @lathe/queues pipeline), enters the key, and reads what a user would: the
 * experiment and its runs, a run's stages and metric charts updating live over SSE, the
 * failure with its stage and code, models with aliases and gate reasons, a dataset profile,
 * and an A/B report. The stage updates are written with the registry functions the workers
 * use, so no worker (and no training) is needed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendRunMetrics,
  claimStages,
  failStage,
  finishStages,
  recordAbEvents,
  reportStageProgress,
} from '@lathe/registry';
import {
  ensureDashboardBuilt,
  launchChromium,
  type Browser,
  type Page,
} from '../../services/dashboard/e2e/browser.ts';
import { seed, startTestApi, type TestApi } from '../api/api-harness.ts';

let api: TestApi;
let browser: Browser;
let page: Page;
let fx: Awaited<ReturnType<typeof seed>>;
let runId: string;
/** Set LATHE_E2E_SCREENSHOTS=<dir> to keep a picture of each page (for a person to look at). */
const shots = process.env.LATHE_E2E_SCREENSHOTS;

async function snap(name: string) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  // Fail first, and clearly, when the browser is missing.
  browser = await launchChromium();
  const dist = await ensureDashboardBuilt();
  api = await startTestApi('dashboard', { dashboardDir: dist });
  fx = await seed(api);
  const registry = api.db.registry;

  // A run started through the API (editor key), then moved along as the workers would.
  const started = await api.request('POST', `/experiments/${fx.experiment.id}/runs`, {
    key: api.keys.editor,
    body: { trigger: 'manual' },
  });
  expect(started.status).toBe(201);
  runId = started.body.id;
  await claimStages(registry, [{ runId, stage: 'ingest' }]);
  await finishStages(registry, [
    { runId, stage: 'ingest', output: { datasetVersionId: fx.version.id }, cacheHit: true },
  ]);
  await claimStages(registry, [{ runId, stage: 'train' }]);
  await reportStageProgress(registry, runId, 'train', 0.5);
  await appendRunMetrics(registry, runId, [
    { name: 'loss', step: 1, value: 0.9 },
    { name: 'valLoss', step: 1, value: 1.0 },
    { name: 'acc', step: 1, value: 0.6 },
    { name: 'loss', step: 2, value: 0.7 },
    { name: 'valLoss', step: 2, value: 0.8 },
    { name: 'acc', step: 2, value: 0.7 },
  ]);
  await registry.evaluation.update({
    where: { id: fx.e2.id },
    data: { reasons: ['rmse 0.8 must be ≤ 0.5'] },
  });
  await registry.modelAlias.create({
    data: { modelName: 'clicks-mf', alias: 'production', modelVersionId: fx.v1.id },
  });
  await registry.datasetVersion.update({
    where: { id: fx.version.id },
    data: {
      profile: {
        rows: 3,
        columns: [
          {
            name: 'rating',
            type: 'number',
            count: 3,
            mean: 3.7,
            min: 2,
            max: 5,
            histogram: { edges: [2, 3.5, 5], counts: [1, 2] },
          },
        ],
      },
    },
  });

  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('dashboard in Chromium', () => {
  it('asks for a key, refuses a wrong one with the API’s reason, and accepts a viewer key', async () => {
    await page.goto(`${api.url}/`);
    const keyInput = page.getByLabel('API key');
    await keyInput.waitFor();
    await keyInput.fill('lk_not_a_real_key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toMatch(/refused the key \(invalid_api_key\)/);
    await snap('01-key-rejected');

    await keyInput.fill(api.keys.viewer);
    await page.getByRole('button', { name: 'Use this key' }).click();
    // The key opens the overview; the experiments are one click away.
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Experiments' }).click();
    await page.getByTestId('experiments').getByRole('link', { name: 'clicks-mf' }).waitFor();
    // A string, evaluated in the page: this file is type-checked without the DOM library.
    expect(await page.evaluate('localStorage.getItem("lathe.apiKey")')).toBe(api.keys.viewer);
    await snap('02-experiments');
  });

  it('shows the experiment with its run, and says why a viewer cannot start one', async () => {
    await page.getByTestId('experiments').getByRole('link', { name: 'clicks-mf' }).click();
    await expect.poll(() => page.getByTestId('experiment-name').textContent()).toBe('clicks-mf');
    const row = page.getByTestId('runs').locator('tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    const text = await row.first().textContent();
    expect(text).toContain(runId.slice(0, 8));
    expect(text).toContain('running');
    expect(text).toContain('train');
    expect(text).toContain('manual');

    await page.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/needs the editor role/);
    await snap('03-experiment');
  });

  it('shows the run’s stages and metric charts, and follows them live until the failure', async () => {
    await page
      .getByTestId('runs')
      .getByRole('link', { name: runId.slice(0, 8) })
      .click();
    const stage = (name: string) => page.locator(`[data-stage="${name}"]`);
    await stage('train').waitFor();
    expect(await stage('ingest').getAttribute('class')).toContain('stage-succeeded');
    expect(await stage('ingest').textContent()).toContain('cache hit');
    expect(await stage('train').textContent()).toMatch(/running.*50%.*1 attempt/);
    expect(await stage('deploy').textContent()).toContain('pending');

    const charts = page.getByTestId('metric-charts');
    await charts.locator('figure[data-metric="loss"] canvas').first().waitFor();
    expect(await charts.locator('figure figcaption').allTextContents()).toEqual(['loss / valLoss', 'acc']);
    await expect.poll(() => page.getByTestId('stream-status').textContent()).toBe('● live');

    // A worker moves on: a new epoch, train done, evaluate fails for good.
    const registry = api.db.registry;
    await appendRunMetrics(registry, runId, [{ name: 'loss', step: 3, value: 0.42 }]);
    await expect.poll(() => page.locator('.latest').textContent()).toContain('loss 0.42 @3');
    await finishStages(registry, [{ runId, stage: 'train', output: {} }]);
    await claimStages(registry, [{ runId, stage: 'evaluate' }]);
    await expect.poll(() => stage('evaluate').getAttribute('class')).toContain('stage-running');
    expect(await stage('train').getAttribute('class')).toContain('stage-succeeded');

    await failStage(registry, runId, 'evaluate', {
      code: 'gate_failed',
      message: 'rmse 0.8 must be ≤ 0.5',
      final: true,
    });
    await expect
      .poll(() => page.getByTestId('run-error').textContent(), { timeout: 10_000 })
      .toMatch(/Failed in evaluate.*gate_failed.*rmse 0\.8 must be ≤ 0\.5/);
    await expect.poll(() => page.getByTestId('stream-status').textContent()).toBe('finished');
    expect(await page.getByRole('button', { name: 'Retry from failed stage' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel' }).isEnabled()).toBe(false);
    await snap('04-run');
  });

  it('shows models with aliases and an evaluation’s gate verdict with its reasons', async () => {
    await page.goto(`${api.url}/#/models/clicks-mf`);
    await expect.poll(() => page.getByTestId('aliases').textContent()).toMatch(/production → v1/);
    await expect.poll(() => page.getByTestId('versions').locator('tbody tr').count()).toBe(2);
    await page.getByTestId('versions').getByRole('link', { name: 'test' }).first().waitFor();
    await snap('05-model');
    await page.goto(`${api.url}/#/evaluations/${fx.e2.id}`);
    await expect.poll(() => page.getByTestId('gate-reasons').textContent()).toBe('rmse 0.8 must be ≤ 0.5');
    expect(await page.locator('h1 [data-status]').getAttribute('data-status')).toBe('failed');
  });

  it('shows a dataset version’s profile with a histogram, and an A/B report', async () => {
    await page.goto(`${api.url}/#/dataset-versions/${fx.version.id}`);
    await page.getByTestId('profile').locator('svg.histogram rect').first().waitFor();
    expect(await page.getByTestId('profile').locator('svg.histogram rect').count()).toBe(2);
    expect(await page.getByTestId('drift').textContent()).toMatch(/user.*stable.*psi 0\.01/);
    await snap('06-dataset-version');

    const created = await api.request('POST', '/ab-tests', {
      key: api.keys.editor,
      body: {
        name: 'clicks-ab',
        endpoint: 'clicks',
        variants: [
          { name: 'control', isControl: true, modelVersionId: fx.v1.id, weight: 0.5 },
          { name: 'challenger', modelVersionId: fx.v2.id, weight: 0.5 },
        ],
      },
    });
    expect(created.status).toBe(201);
    const test = created.body as { id: string; variants: Array<{ id: string; name: string }> };
    const events = test.variants.flatMap((v) => {
      // 2,000 units an arm: enough for the always-valid interval to exclude 0 (10% vs 16%).
      const converted = v.name === 'control' ? 200 : 320;
      return Array.from({ length: 2000 }, (_, i) => [
        {
          variantId: v.id,
          type: 'exposure' as const,
          unitId: `${v.name}-${i}`,
          occurredAt: new Date(),
          idempotencyKey: `e-${v.name}-${i}`,
          step: 0,
        },
        ...(i < converted
          ? [
              {
                variantId: v.id,
                type: 'outcome' as const,
                unitId: `${v.name}-${i}`,
                metric: 'conversion',
                value: 1,
                occurredAt: new Date(),
                idempotencyKey: `o-${v.name}-${i}`,
                step: 0,
              },
            ]
          : []),
      ]).flat();
    });
    // Through the registry's intake, which keeps the sufficient statistics the report reads.
    expect(await recordAbEvents(api.db.registry, test.id, events)).toBe(events.length);
    await page.goto(`${api.url}/#/ab-tests/${test.id}`);
    const challenger = page.getByTestId('ab-report').locator('tr[data-verdict="better"]');
    await challenger.waitFor();
    const text = await challenger.textContent();
    expect(text).toContain('16.00%');
    expect(text).toContain('+6.00 pp');
    expect(text).toContain('< 0.001');
    expect(await page.getByTestId('ab-srm').textContent()).toMatch(/no/i);
    expect(await page.getByTestId('ab-readout').textContent()).toMatch(/conversion/i);
    await snap('07-ab-test');
  });
});
