/**
 * Bad configuration fails fast with one line naming the variable and what was expected,
 * in a real worker process (services/train/src/main.ts), not deep inside a driver.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, freePort, requireServices } from '../harness/index.ts';

const execFileAsync = promisify(execFile);

/** Starts a service's main.ts (default: the train worker) with `env` and returns how it ended. */
function startWorker(
  env: Record<string, string>,
  service = 'train',
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, `services/${service}/src/main.ts`)],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', LATHE_LOG_LEVEL: 'silent', ...env },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.trim() });
    });
  });
}

describe('bad configuration', () => {
  const services = requireServices();

  it('an invalid DATABASE_URL: one line naming the variable and the expected form', async () => {
    const { code, stderr } = await startWorker({
      DATABASE_URL: 'mysql://localhost/lathe',
      REDIS_URL: services.redisUrl,
    });
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      '[train-worker] DATABASE_URL: expected a URL like postgresql://user:password@host:5432/database; got "mysql://localhost/lathe"',
    ]);
  });

  // Real Node processes load every service's module graph (ESM/CommonJS interop included) and
  // stop at the first configuration check.
  it.each([
    ['api', 'api'],
    ['ingest', 'ingest-worker'],
    ['evaluate', 'evaluate-worker'],
    ['deploy', 'deploy-worker'],
  ])('%s: loads in plain Node and refuses a bad DATABASE_URL in one line', async (service, name) => {
    const { code, stderr } = await startWorker(
      { DATABASE_URL: 'not a url', REDIS_URL: services.redisUrl },
      service,
    );
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      `[${name}] DATABASE_URL: expected a URL like postgresql://user:password@host:5432/database; got "not a url"`,
    ]);
  });

  it('ingest worker: a bad named connection stops it in one line naming the variable, never the password', async () => {
    const { code, stderr } = await startWorker(
      {
        DATABASE_URL: services.databaseUrl,
        REDIS_URL: services.redisUrl,
        LATHE_CONNECTION_WAREHOUSE_URL: 'mysql://lathe:Sekr1t-pw@db/sales',
      },
      'ingest',
    );
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      '[ingest-worker] LATHE_CONNECTION_WAREHOUSE_URL: expected a URL like postgresql://user:password@host:5432/database; got "mysql://lathe@db/sales"',
    ]);
  });

  it('a Postgres that does not answer: one line naming DATABASE_URL', async () => {
    const port = await freePort();
    const { code, stderr } = await startWorker({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/lathe`,
      REDIS_URL: services.redisUrl,
    });
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      new RegExp(
        `^\\[train-worker\\] DATABASE_URL: cannot connect to postgresql://postgres@127\\.0\\.0\\.1:${port}/lathe \\(ECONNREFUSED\\)`,
      ),
    );
  });

  it('a Redis that stopped accepting connections after start-up: one line naming REDIS_URL', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'lathe-redis-'));
    try {
      await execFileAsync('redis-server', [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'yes',
        '--dir',
        dir,
        '--pidfile',
        join(dir, 'pid'),
      ]);
      for (let i = 0; i < 50; i++) {
        const { stdout } = await execFileAsync('redis-cli', ['-p', String(port), 'ping']).catch(() => ({
          stdout: '',
        }));
        if (stdout.includes('PONG')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await execFileAsync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
      const { code, stderr } = await startWorker({
        DATABASE_URL: services.databaseUrl,
        REDIS_URL: `redis://127.0.0.1:${port}`,
      });
      expect(code).toBe(1);
      expect(stderr.split('\n')).toEqual([
        `[train-worker] REDIS_URL: cannot connect to redis://127.0.0.1:${port} (ECONNREFUSED); expected a reachable Redis server (run \`npm run up\`)`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
