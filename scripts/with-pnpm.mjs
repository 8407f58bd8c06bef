#!/usr/bin/env node
// Runs pnpm with the given arguments, installing the pinned pnpm into .lathe/tools first when
// it is not on PATH at that version (npm ships with Node; pnpm does not, and corepack's
// signature checks fail offline).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PNPM_VERSION = '12.4.2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const localPnpm = join(root, '.lathe', 'tools', 'node_modules', '.bin', 'pnpm');

/**
 * The pnpm to run. A local install is also put first on this process's PATH, so that tools
 * that call `pnpm` themselves (turbo runs each package's script with it) find the same one.
 */
export function pnpmCommand() {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() === PNPM_VERSION) return 'pnpm';
  if (!existsSync(localPnpm)) {
    console.error(`[lathe] installing pnpm ${PNPM_VERSION} into .lathe/tools`);
    const install = spawnSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--prefix',
        join(root, '.lathe', 'tools'),
        `pnpm@${PNPM_VERSION}`,
      ],
      { stdio: 'inherit' },
    );
    if (install.status !== 0) {
      console.error('[lathe] error: could not install pnpm from the npm registry');
      process.exit(1);
    }
  }
  process.env.PATH = `${dirname(localPnpm)}${delimiter}${process.env.PATH ?? ''}`;
  return localPnpm;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = spawnSync(pnpmCommand(), process.argv.slice(2), { stdio: 'inherit', cwd: root });
  process.exit(result.status ?? 1);
}
