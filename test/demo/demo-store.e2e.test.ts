/**
 * The first command's own code path, quick: `scripts/demo.mjs --quick` in a database, queue
 * prefix, state and log directory of its own, run to its end ("Lathe is running"), then checked
 * as a newcomer would meet it: three endpoints serving at the gateway; the recommender's A/B test
 * with stored decisions and their reasons; `production` pointing where the verdict says; the
 * simulator's true lift printed next to the measured one; and, in Debian's Chromium, the
 * dashboard's overview and A/B page showing the demo's own test and its decision.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt, launchChromium, type Browser } from '../../services/dashboard/e2e/browser.ts';
import { REPO_ROOT, freePort, servicesEnv } from '../harness/index.ts';

const DEMO_TIMEOUT_MS = 12 * 60_000;
const services = servicesEnv();
if (!services) throw new Error('no Postgres/Redis: run `npm run up` (or `npm test`, which does)');

const suffix = randomBytes(4).toString('hex');
const database = `lathe_demo_${suffix}`;
const prefix = `lathe-test:demo:${suffix}`;
const stateDir = mkdtempSync(join(tmpdir(), 'lathe-demo-'));
const databaseUrl = (() => {
  const url = new URL(services.databaseUrl);
  url.pathname = `/${database}`;
  url.search = '';
  return url.toString();
})();
const adminUrl = (() => {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
})();

let demo: ChildProcess;
let output = '';
let apiUrl: string;
let serveUrl: string;
let apiKey: string;
let browser: Browser | undefined;

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

async function gateway(endpoint: string, route: string, body: unknown) {
  const response = await fetch(`${serveUrl}/v1/endpoints/${endpoint}/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // Built here, once, and passed to the demo as built: a build inside the demo would empty dist/
  // under another test's browser.
  await ensureDashboardBuilt();
  const [apiPort, servePort] = [await freePort(), await freePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  serveUrl = `http://127.0.0.1:${servePort}`;
  // The demo reads its own bootstrap key (a caller's key would belong to another database).
  const { LATHE_API_KEY: _callersKey, ...callerEnv } = process.env;
  demo = spawn(process.execPath, [join(REPO_ROOT, 'scripts/demo.mjs'), '--quick', '--prebuilt-dashboard'], {
    cwd: REPO_ROOT,
    env: {
      ...callerEnv,
      DATABASE_URL: databaseUrl,
      REDIS_URL: services.redisUrl,
      LATHE_QUEUE_PREFIX: prefix,
      LATHE_STATE_DIR: stateDir,
      LATHE_LOG_DIR: join(stateDir, 'logs'),
      LATHE_ARTIFACT_DIR: join(stateDir, 'artifacts'),
      LATHE_API_PORT: String(apiPort),
      LATHE_SERVE_PORT: String(servePort),
      // The workers' own /metrics ports would meet other tests' workers.
      LATHE_HEALTH_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the demo did not finish in time; its output:\n${output.slice(-4000)}`)),
      DEMO_TIMEOUT_MS,
    );
    const check = setInterval(() => {
      if (output.includes('Lathe is running')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 500);
    demo.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      if (!output.includes('Lathe is running'))
        reject(new Error(`the demo exited (${code}) before its end; its output:\n${output.slice(-4000)}`));
    });
  });
  apiKey = readFileSync(join(stateDir, 'admin-key'), 'utf8').trim();
}, DEMO_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    demo.kill('SIGTERM');
    await new Promise((resolve) => demo.once('exit', resolve));
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

interface AbTest {
  id: string;
  status: string;
  variants: Array<{ name: string; isControl: boolean; modelVersionId: string }>;
}

describe('npm run demo -- --quick', () => {
  it('ends with three endpoints serving: photos, descriptions and recommendations', async () => {
    // Every store run succeeded (the demo goes on past a failed one, and says so).
    expect(output, output.slice(-6000)).not.toContain('runs that did not succeed');
    const photo = await gateway('store-products', 'predict', {
      instances: [{ pixels: Array.from({ length: 28 * 28 }, (_, i) => (i % 7) * 30) }],
    });
    expect(photo.status).toBe(200);
    expect(typeof (photo.body.predictions as Array<{ label: string }>)[0]!.label).toBe('string');
    const text = await gateway('store-descriptions', 'predict', { instances: [{ text: 'a puzzle game' }] });
    expect(text.status).toBe(200);
    expect(['doc', 'games', 'libdevel', 'python']).toContain(
      (text.body.predictions as Array<{ label: string }>)[0]!.label,
    );
    const page = await gateway('store-recommender', 'recommend', { userId: 'u5', k: 10 });
    expect(page.status).toBe(200);
    expect(page.body.basis).toBe('model');
    expect(page.body.items).toHaveLength(10);
  });

  it('leaves an A/B test with stored decisions and reasons, and production where the verdict says', async () => {
    const { items } = await get<{ items: AbTest[] }>('/ab-tests?endpoint=store-recommender');
    expect(items).toHaveLength(1);
    const test = items[0]!;
    const { items: decisions } = await get<{ items: Array<{ action: string; reasons: string[] }> }>(
      `/ab-tests/${test.id}/decisions`,
    );
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) expect(d.reasons.length).toBeGreaterThan(0);
    const { items: aliases } = await get<{ items: Array<{ alias: string; modelVersionId: string }> }>(
      '/models/store-recommender/aliases',
    );
    const production = aliases.find((a) => a.alias === 'production')!.modelVersionId;
    const control = test.variants.find((v) => v.isControl)!.modelVersionId;
    const treatment = test.variants.find((v) => !v.isControl)!.modelVersionId;
    // Promoted: v2 serves; rolled back, stopped or still running: v1 still does.
    expect(production).toBe(test.status === 'promoted' ? treatment : control);
    if (test.status !== 'running') expect(output).toContain(`the A/B test is ${test.status}`);
    // The simulator's truth beside the measurement.
    expect(output).toMatch(/SIMULATION summary: \d+ visits/);
    expect(output).toMatch(/true lift [+-]\d+\.\d%, measured [+-]\d+\.\d% \[[+-]?[\d.]+%, [+-]?[\d.]+%\]/);
  });

  it("shows the demo's deployments, an evaluation, v1 against v2, and the A/B decision on the dashboard", async () => {
    const { items } = await get<{ items: AbTest[] }>('/ab-tests?endpoint=store-recommender');
    const test = items[0]!;
    const report = await get<{ status: string; decision: string }>(`/ab-tests/${test.id}/report`);
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    await page.goto(`${apiUrl}/`);
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByTestId('live-deployments').locator('tbody tr').first().waitFor();
    const deployments = await page.getByTestId('live-deployments').locator('tbody tr').allTextContents();
    for (const endpoint of ['store-products', 'store-descriptions', 'store-recommender'])
      expect(deployments.some((row) => row.includes(endpoint))).toBe(true);
    // The product photos' evaluation: the stored ROC curves and the confusion matrix as a heatmap.
    const evaluationOf = async (model: string, version: number) => {
      const { items: versions } = await get<{ items: Array<{ id: string; version: number }> }>(
        `/models/${model}/versions`,
      );
      const id = versions.find((v) => v.version === version)!.id;
      return (await get<{ items: Array<{ id: string }> }>(`/evaluations?modelVersionId=${id}`)).items[0]!.id;
    };
    const photos = await evaluationOf('store-products', 1);
    const stored = await get<{ curves: { confusionMatrix: number[][] } }>(`/evaluations/${photos}`);
    await page.goto(`${apiUrl}/#/evaluations/${photos}`);
    await page.locator('figure[data-chart="roc"] canvas').first().waitFor();
    const cells = page.getByTestId('confusion-matrix').locator('td[data-count]');
    await cells.first().waitFor();
    const matrix = stored.curves.confusionMatrix;
    expect(await cells.count()).toBe(matrix.length * matrix.length);
    expect(
      (await cells.evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-count'))))).sort(),
    ).toEqual(matrix.flat().sort());

    // Recommender v1 and v2 side by side: only the settings v2 changed differ.
    const [v1, v2] = [await evaluationOf('store-recommender', 1), await evaluationOf('store-recommender', 2)];
    await page.goto(`${apiUrl}/#/evaluations/compare?ids=${v1},${v2}`);
    const diff = page.getByTestId('hyperparameter-diff').locator('tbody tr');
    await expect.poll(() => diff.count()).toBe(2);
    expect((await diff.allTextContents()).sort()).toEqual(['embeddingDim216', 'epochs18']);

    await page.goto(`${apiUrl}/#/ab-tests/${test.id}`);
    await page.getByTestId('ab-report').locator('tr[data-verdict]').first().waitFor();
    expect(await page.locator('h1 [data-status]').getAttribute('data-status')).toBe(report.status);
    expect(await page.getByText(report.decision, { exact: true }).count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
