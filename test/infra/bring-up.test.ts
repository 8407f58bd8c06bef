/**
 * The fresh-machine path: infra/local/up.sh pointed at ports where nothing listens starts its
 * own PostgreSQL and Redis there, creates the database, migrates, is idempotent, and
 * infra/local/down.sh stops exactly what it started.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, freePort, listening, requireServices } from '../harness/index.ts';

const run = promisify(execFile);

let stateDir: string;
let pgPort: number;
let redisPort: number;
const baseEnv = () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LATHE_STATE_DIR: stateDir,
    LATHE_PG_PORT: String(pgPort),
    LATHE_REDIS_PORT: String(redisPort),
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return env;
};
const up = (env = baseEnv()) =>
  run('bash', [join(REPO_ROOT, 'infra/local/up.sh')], { env, timeout: 120_000 });
const down = (env = baseEnv()) =>
  run('bash', [join(REPO_ROOT, 'infra/local/down.sh')], { env, timeout: 60_000 });

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'lathe-bring-up-'));
  pgPort = await freePort();
  redisPort = await freePort();
});
afterAll(async () => {
  await down().catch(() => undefined);
  await rm(stateDir, { recursive: true, force: true });
  await rm(`/tmp/lathe-pg-${pgPort}`, { recursive: true, force: true });
});

describe('infra/local bring-up', () => {
  it('starts its own PostgreSQL and Redis on free ports, creates the database and migrates', async () => {
    expect(await listening(pgPort)).toBe(false);
    expect(await listening(redisPort)).toBe(false);
    const { stderr } = await up();
    expect(stderr).toContain(`starting PostgreSQL on 127.0.0.1:${pgPort}`);
    expect(stderr).toContain(`starting Redis on 127.0.0.1:${redisPort}`);

    // The first admin API key: printed once and kept for this machine's demo and CLI.
    expect(stderr).toMatch(/created the bootstrap admin API key .*: lathe_\S+/);
    const key = (await readFile(join(stateDir, 'admin-key'), 'utf8')).trim();
    expect(stderr).toContain(key);

    const env = await readFile(join(stateDir, 'env'), 'utf8');
    expect(env).toContain(`DATABASE_URL=postgresql://postgres@127.0.0.1:${pgPort}/lathe`);
    expect(env).toContain(`REDIS_URL=redis://127.0.0.1:${redisPort}`);

    const client = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${pgPort}/lathe` });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL',
      );
      expect(rows[0].n).toBeGreaterThan(0);
      const tables = await client.query(`SELECT to_regclass('public."Run"') AS t`);
      expect(tables.rows[0].t).toBe('"Run"');
    } finally {
      await client.end();
    }
  });

  it('is idempotent: a second call finds both servers and applies nothing new', async () => {
    const { stderr } = await up();
    expect(stderr).toContain(`PostgreSQL reachable at 127.0.0.1:${pgPort}`);
    expect(stderr).toContain(`Redis reachable at 127.0.0.1:${redisPort}`);
    expect(stderr).toMatch(/0 applied, \d+ already applied/);
    expect(stderr).not.toContain('created the bootstrap admin API key');
  });

  it('uses servers named by DATABASE_URL/REDIS_URL when reachable, and down leaves them alone', async () => {
    const shared = requireServices();
    const otherState = await mkdtemp(join(tmpdir(), 'lathe-bring-up-shared-'));
    const env = {
      ...process.env,
      LATHE_STATE_DIR: otherState,
      DATABASE_URL: shared.databaseUrl,
      REDIS_URL: shared.redisUrl,
      LATHE_SKIP_MIGRATE: '1',
    };
    try {
      const { stderr } = await up(env);
      expect(stderr).not.toContain('starting');
      await down(env);
      expect(await listening(Number(new URL(shared.databaseUrl).port))).toBe(true);
      expect(await listening(Number(new URL(shared.redisUrl).port))).toBe(true);
    } finally {
      await rm(otherState, { recursive: true, force: true });
    }
  });

  it('fails with one clear line when DATABASE_URL points at a remote server that does not answer', async () => {
    const env = { ...baseEnv(), DATABASE_URL: 'postgresql://u@192.0.2.1:5432/lathe' };
    await expect(up(env)).rejects.toMatchObject({
      stderr: expect.stringContaining('DATABASE_URL points at 192.0.2.1:5432, which does not answer'),
    });
  });

  it('down stops exactly what up started', async () => {
    await down();
    expect(await listening(pgPort)).toBe(false);
    expect(await listening(redisPort)).toBe(false);
  });
});
