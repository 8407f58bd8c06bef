/**
 * What a browser test of the dashboard needs, kept in this package so playwright-core and
 * vite resolve from here: the built dist/ (built once when missing) and Debian's Chromium
 * driven by playwright-core. Never downloads a browser: CI installs `chromium` with apt.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export type { Browser, Page } from 'playwright-core';

export const DASHBOARD_DIR = join(import.meta.dirname, '..');
export const DIST_DIR = join(DASHBOARD_DIR, 'dist');
export const CHROMIUM_PATH = process.env.LATHE_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Builds dist/ with the package's vite config unless it is there already. */
export async function ensureDashboardBuilt(): Promise<string> {
  if (existsSync(join(DIST_DIR, 'index.html'))) return DIST_DIR;
  const { build } = await import('vite');
  await build({ configFile: join(DASHBOARD_DIR, 'vite.config.ts'), logLevel: 'warn' });
  if (!existsSync(join(DIST_DIR, 'index.html')))
    throw new Error(`vite build did not produce ${join(DIST_DIR, 'index.html')}`);
  return DIST_DIR;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the dashboard's browser test drives Debian's Chromium. ` +
        'Install it with `apt-get install -y chromium` (or set LATHE_CHROMIUM_PATH); never `npx playwright install`.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
