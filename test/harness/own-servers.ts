/**
 * Redis and Postgres server processes of a test's own, on free ports in a scratch directory,
 * for fault tests that kill and restart the real servers. Never the shared servers that
 * infra/local/up.sh starts: other test files use those at the same time.
 * Postgres runs as the `postgres` user when the test runs as root (initdb refuses root).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, listening } from './ports.ts';

export interface OwnServer {
  url: string;
  port: number;
  /** SIGKILL the server process (no shutdown, as a crash) and wait for it to go. */
  kill(): Promise<void>;
  /** Start it again on the same port with the same data directory. */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A redis-server with AOF (fsync on every write) or with no persistence at all. */
export async function startOwnRedis(options: { aof: boolean }): Promise<OwnServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-own-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
    args.push(...(options.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitUntil(`redis on ${port}`, () => listening(port));
  };
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBin(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort().reverse();
  for (const version of versions) {
    const bin = join('/usr/lib/postgresql', version, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install -y postgresql)');
}

/** A fresh Postgres cluster (trust auth, database `postgres`). */
export async function startOwnPostgres(): Promise<OwnServer> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'lathe-own-pg-'));
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const asOwner = (command: string) =>
    root
      ? execFileSync('su', ['postgres', '-s', '/bin/bash', '-c', command], { stdio: 'pipe' })
      : execFileSync('bash', ['-c', command], { stdio: 'pipe' });
  const port = await freePort();
  asOwner(`'${bin}/initdb' -D '${dir}/data' -U postgres -A trust -E UTF8 --no-locale >/dev/null`);
  const start = async () => {
    asOwner(
      `'${bin}/pg_ctl' -D '${dir}/data' -l '${dir}/log' -w -t 30 -o "-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null`,
    );
    await waitUntil(`postgres on ${port}`, () => listening(port));
  };
  // Immediate mode: the server processes quit at once, without a checkpoint (crash recovery on start).
  const kill = async () => {
    asOwner(`'${bin}/pg_ctl' -D '${dir}/data' -m immediate -w stop >/dev/null 2>&1 || true`);
  };
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    kill,
    start,
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
