#!/usr/bin/env node
// `npm test`: bring up Postgres and Redis (starting local ones where none is reachable),
// migrate, run every test once, and end with the plain total on its own line:
//   N passed, N failed[, N skipped]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pnpmCommand } from './with-pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpm = pnpmCommand(); // first: it may put a local pnpm on PATH for everything below
const stateDir = process.env.LATHE_STATE_DIR ?? join(root, '.lathe', 'local');
const env = { ...process.env, LATHE_STATE_DIR: stateDir, TURBO_TELEMETRY_DISABLED: '1' };

const up = spawnSync('bash', [join(root, 'infra/local/up.sh')], { stdio: 'inherit', env });
if (up.status !== 0) {
  console.log('bring-up failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
for (const line of readFileSync(join(stateDir, 'env'), 'utf8').split('\n')) {
  const at = line.indexOf('=');
  if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
}

// A missing browser, sample or operations tool fails only the tests that need it (with their own message).
spawnSync('bash', [join(root, 'infra/local/ensure-chromium.sh')], { stdio: 'inherit', env });
spawnSync('bash', [join(root, 'infra/local/ensure-sample-data.sh')], { stdio: 'inherit', env });
spawnSync('bash', [join(root, 'infra/local/ensure-ops-tools.sh')], { stdio: 'inherit', env });

const packagesTypecheck = spawnSync(
  pnpm,
  ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only'],
  {
    stdio: 'inherit',
    cwd: root,
    env,
  },
);
// The root project: bench/ and scripts/, which belong to no package.
const rootTypecheck = spawnSync(pnpm, ['exec', 'tsc', '-p', 'tsconfig.json', '--noEmit'], {
  stdio: 'inherit',
  cwd: root,
  env,
});
const typecheck = { status: packagesTypecheck.status || rootTypecheck.status };

// Type-aware lint keeps one TypeScript program per workspace project in memory: past Node's
// default 4 GB heap for this monorepo, so it gets 8 GB (the machines have 24).
const lint = spawnSync(pnpm, ['exec', 'eslint', '.', '--max-warnings=0'], {
  stdio: 'inherit',
  cwd: root,
  env: { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --max-old-space-size=8192`.trim() },
});

// Formatting is part of the build: a file prettier would rewrite fails the run (`npm run format` fixes it).
const format = spawnSync(pnpm, ['exec', 'prettier', '--check', '.', '--log-level=warn'], {
  stdio: 'inherit',
  cwd: root,
  env,
});

const resultsDir = join(root, '.lathe', 'test-results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, 'vitest.json');
rmSync(resultsFile, { force: true });
spawnSync(
  pnpm,
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${resultsFile}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: root, env },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(resultsFile)) {
  const report = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  skipped = report.numPendingTests + report.numTodoTests;
  // A file that fails to load, or whose setup or teardown hook fails (its tests then show as
  // skipped, or all passed), has no failed test to count; it is still a failure.
  for (const file of report.testResults) {
    const failedTests = file.assertionResults.filter((a) => a.status === 'failed').length;
    if (file.status === 'failed' && failedTests === 0) {
      console.log(`failed outside its tests: ${file.name}: ${file.message?.split('\n')[0] ?? ''}`);
      failed += 1;
    }
  }
} else {
  console.log('vitest wrote no results');
  failed += 1;
}
if (typecheck.status !== 0) {
  console.log('typecheck failed (counted as one failed test)');
  failed += 1;
}
if (lint.status !== 0) {
  console.log('lint failed (counted as one failed test)');
  failed += 1;
}
if (format.status !== 0) {
  console.log('format check failed (counted as one failed test): run `npm run format`');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
