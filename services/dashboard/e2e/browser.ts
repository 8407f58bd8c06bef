/**
 * What a browser test of the dashboard needs, kept in this package so playwright-core and
 * vite resolve from here: the built dist/ (built once when missing) and Debian's Chromium
 * driven by playwright-core. Never downloads a browser: CI installs `chromium` with apt.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export type { Browser, Page } from 'playwright-core';

export const DASHBOARD_DIR = join(import.meta.dirname, '..');
export const DIST_DIR = join(DASHBOARD_DIR, 'dist');
export const CHROMIUM_PATH = process.env.LATHE_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The newest modification time of the files that go into dist/. */
function newestSourceMtimeMs(): number {
  const files = [join(DASHBOARD_DIR, 'index.html'), join(DASHBOARD_DIR, 'vite.config.ts')];
  for (const entry of readdirSync(join(DASHBOARD_DIR, 'src'), { recursive: true, withFileTypes: true }))
    if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/**
 * Builds dist/ with the package's vite config unless it is there and newer than every source
 * file: a dist/ left from before an edit would test the old pages. Two test files may build at
 * once while a third serves dist/, so the build goes to a directory of its own and its files
 * are renamed into dist/ one by one (each rename is atomic), index.html last.
 */
export async function ensureDashboardBuilt(): Promise<string> {
  const index = join(DIST_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSourceMtimeMs()) return DIST_DIR;
  const { build } = await import('vite');
  // Under node_modules/: ignored by git, and on dist/'s file system, so renames stay renames.
  const outDir = join(DASHBOARD_DIR, 'node_modules', `.dist-build-${process.pid}`);
  await build({
    configFile: join(DASHBOARD_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  if (!existsSync(join(outDir, 'index.html')))
    throw new Error(`vite build did not produce ${join(outDir, 'index.html')}`);
  const files = readdirSync(outDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(outDir, join(e.parentPath, e.name)))
    .sort((a, b) => Number(a === 'index.html') - Number(b === 'index.html'));
  for (const file of files) {
    mkdirSync(dirname(join(DIST_DIR, file)), { recursive: true });
    renameSync(join(outDir, file), join(DIST_DIR, file));
  }
  rmSync(outDir, { recursive: true, force: true });
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
