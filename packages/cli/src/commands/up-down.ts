/** `lathe up|down`: the local bring-up (Postgres, Redis, migrations) and the bootstrap admin key. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError, type CliIo } from '../io.ts';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function run(
  io: CliIo,
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): string {
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...io.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new CliError(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  return result.stdout;
}

export function registerUpDownCommands(program: Command, io: CliIo): void {
  program
    .command('up')
    .description('start local Postgres and Redis, migrate, and create the bootstrap admin key (printed once)')
    .action(() => {
      io.stdout.write(run(io, 'bash', [join(REPO_ROOT, 'infra/local/up.sh')]));
      const env = Object.fromEntries(
        run(io, 'cat', [join(REPO_ROOT, '.lathe/local/env')])
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      const key = run(
        io,
        join(REPO_ROOT, 'node_modules/.bin/tsx'),
        [join(REPO_ROOT, 'services/api/src/bootstrap-admin-key.ts')],
        env,
      ).trim();
      if (key) io.stdout.write(`bootstrap admin key (shown once; export LATHE_API_KEY=${key})\n`);
    });
  program
    .command('down')
    .description('stop what `lathe up` started')
    .action(() => {
      io.stdout.write(run(io, 'bash', [join(REPO_ROOT, 'infra/local/down.sh')]));
    });
}
