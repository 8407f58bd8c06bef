#!/usr/bin/env node
// First step of `npm run demo` and `npm test` on a fresh machine: install pnpm (pinned), the
// workspace's dependencies (frozen lockfile) and generate the Prisma client.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pnpmCommand } from './with-pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpm = pnpmCommand();
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

function step(label, args) {
  console.error(`[lathe] ${label}`);
  const result = spawnSync(pnpm, args, { stdio: 'inherit', cwd: root, env });
  if (result.status !== 0) {
    console.error(`[lathe] error: ${label} failed (pnpm ${args.join(' ')})`);
    process.exit(result.status ?? 1);
  }
}

step('installing dependencies', ['install', '--frozen-lockfile', '--reporter=append-only']);
step('generating the Prisma client', ['--filter', '@lathe/registry', 'run', 'generate']);
