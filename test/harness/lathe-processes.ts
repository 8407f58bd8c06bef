/**
 * Real Lathe processes for a test: each service's main.ts as a child process, on free ports,
 * against the test's database, Redis and artifact directory; up once its health endpoint
 * answers. `stop()` sends SIGTERM (graceful shutdown) and waits; `kill()` is SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';
import { REPO_ROOT } from './services-env.ts';

export type LatheRole = 'api' | 'serve' | 'ingest' | 'train' | 'evaluate' | 'deploy' | 'scoring';

export interface LatheProcess {
  role: LatheRole;
  /** Where its /metrics (and /healthz) answer. */
  port: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export interface LatheProcessEnv {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  artifactDir: string;
  env?: Record<string, string>;
}

const PORT_VARIABLE: Record<LatheRole, string> = {
  api: 'LATHE_API_PORT',
  serve: 'LATHE_SERVE_PORT',
  ingest: 'LATHE_HEALTH_PORT',
  train: 'LATHE_HEALTH_PORT',
  evaluate: 'LATHE_HEALTH_PORT',
  deploy: 'LATHE_HEALTH_PORT',
  scoring: 'LATHE_HEALTH_PORT',
};

/** Each role's entry: its service's main.ts; batch scoring is the evaluate service's second one. */
const ENTRY: Record<LatheRole, string> = {
  api: 'services/api/src/main.ts',
  serve: 'services/serve/src/main.ts',
  ingest: 'services/ingest/src/main.ts',
  train: 'services/train/src/main.ts',
  evaluate: 'services/evaluate/src/main.ts',
  deploy: 'services/deploy/src/main.ts',
  scoring: 'services/evaluate/src/scoring-main.ts',
};

export async function startLatheProcess(role: LatheRole, options: LatheProcessEnv): Promise<LatheProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, ENTRY[role])], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      LATHE_QUEUE_PREFIX: options.queuePrefix,
      LATHE_ARTIFACT_DIR: options.artifactDir,
      LATHE_LOG_LEVEL: 'warn',
      [PORT_VARIABLE[role]]: String(port),
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  const health = role === 'api' || role === 'serve' ? '/readyz' : '/healthz';
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`the ${role} process exited (${child.exitCode})`);
    if (
      await fetch(`${url}${health}`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { role, port, url, child, stop: () => stopWith('SIGTERM'), kill: () => stopWith('SIGKILL') };
    await sleep(100);
  }
  await stopWith('SIGKILL');
  throw new Error(`the ${role} process did not come up`);
}
