/**
 * The single-machine deployment: Debian's `docker-compose config` validates infra/compose.yaml
 * (no Docker engine needed) and the composed services keep their promises (every role, health
 * checks, start order, Redis AOF, Prometheus and Grafana wired to the shipped files); the image's
 * role script starts the role it is given (here: a real migration) and refuses an unknown one;
 * the Dockerfile keeps to its rules (pinned Node 20, non-root, tini as PID 1).
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, createTestDatabase, type TestDatabase } from '../harness/index.ts';

const execFileAsync = promisify(execFile);
const ROLES = ['api', 'serve', 'ingest', 'train', 'evaluate', 'deploy', 'scoring'];

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  stop_grace_period?: string;
}

describe('infra/compose.yaml', () => {
  const rendered = execFileSync('docker-compose', ['-f', join(REPO_ROOT, 'infra/compose.yaml'), 'config'], {
    encoding: 'utf8',
    env: { ...process.env, POSTGRES_PASSWORD: 'from-the-environment' },
  });
  const services = (parse(rendered) as { services: Record<string, ComposeService> }).services;

  it('validates and runs every role of the one image after the one-shot migration', () => {
    expect(Object.keys(services).sort()).toEqual(
      [...ROLES, 'grafana', 'migrate', 'postgres', 'prometheus', 'redis'].sort(),
    );
    expect(services.migrate!.command).toEqual(['migrate']);
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const role of ROLES) {
      const service = services[role]!;
      expect(service.image).toBe(services.migrate!.image);
      expect(service.command).toEqual([role]);
      expect(service.healthcheck?.test.join(' ')).toMatch(/healthz|readyz/);
      expect(service.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(service.depends_on?.redis).toEqual({ condition: 'service_healthy' });
      // The password comes from the environment, never from the file.
      expect(service.environment?.DATABASE_URL).toContain('from-the-environment');
    }
    expect(services.train!.stop_grace_period).toBe('120s'); // longer than the train lock (60 s)
  });

  it('keeps Redis on AOF and provisions Prometheus (rules) and Grafana (dashboard) from the shipped files', () => {
    expect(services.redis!.healthcheck).toBeDefined();
    const redisArgs = services.redis!.command!.join(' ');
    expect(redisArgs).toContain('--appendonly yes');
    expect(redisArgs).toContain('--maxmemory-policy noeviction');
    const mounts = (name: string) =>
      (services[name]!.volumes ?? []).map((v) => v.split(':').slice(0, 2).join(':'));
    expect(mounts('prometheus')).toContain(
      `${join(REPO_ROOT, 'infra/prometheus/prometheus.yml')}:/etc/prometheus/prometheus.yml`,
    );
    expect(mounts('prometheus')).toContain(
      `${join(REPO_ROOT, 'infra/prometheus/rules')}:/etc/prometheus/rules`,
    );
    expect(mounts('grafana')).toContain(
      `${join(REPO_ROOT, 'infra/grafana/provisioning')}:/etc/grafana/provisioning`,
    );
    expect(mounts('grafana')).toContain(
      `${join(REPO_ROOT, 'infra/grafana/dashboards')}:/var/lib/grafana/dashboards`,
    );
    expect(services.grafana!.depends_on?.prometheus).toEqual({ condition: 'service_healthy' });
  });

  it('has Prometheus scrape each Lathe service on the port it listens on', () => {
    const config = parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    const expected = {
      api: '8080',
      serve: '8081',
      ingest: '9101',
      train: '9102',
      evaluate: '9103',
      deploy: '9104',
      scoring: '9105',
    };
    expect(targets.sort()).toEqual(
      Object.entries(expected)
        .map(([host, port]) => `${host}:${port}`)
        .sort(),
    );
    for (const role of ['ingest', 'train', 'evaluate', 'deploy', 'scoring'])
      expect(services[role]!.environment?.LATHE_HEALTH_PORT).toBe(expected[role as keyof typeof expected]);
    // One consumer of the scoring queue per role: the evaluate service leaves it to scoring.
    expect(services.evaluate!.environment?.LATHE_EVALUATE_SCORING).toBe('off');
  });
});

describe('the image', () => {
  let db: TestDatabase;
  let freshUrl: string;
  // A schema of its own that nothing has migrated yet (the harness's is migrated already).
  const freshSchema = () => `${db.schema}_role`;
  beforeAll(async () => {
    db = await createTestDatabase('image-role');
    const url = new URL(db.databaseUrl);
    url.searchParams.set('schema', freshSchema());
    freshUrl = url.toString();
  });
  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${freshSchema()}" CASCADE`);
    await db.drop();
  });

  const tsxLoader = join(realpathSync(join(REPO_ROOT, 'node_modules/tsx')), 'dist/loader.mjs');
  const role = (args: string[], env: Record<string, string> = {}) =>
    execFileAsync('sh', [join(REPO_ROOT, 'infra/docker/lathe-role.sh'), ...args], {
      env: { PATH: process.env.PATH ?? '', LATHE_APP_DIR: REPO_ROOT, LATHE_TSX_LOADER: tsxLoader, ...env },
    });

  it('runs the role it is given: migrate applies the migrations to DATABASE_URL', async () => {
    const { stderr } = await role(['migrate'], { DATABASE_URL: freshUrl });
    expect(stderr).toMatch(/\[lathe migrate\] [1-9]\d* applied/);
    const again = await role(['migrate'], { DATABASE_URL: freshUrl });
    expect(again.stderr).toMatch(/\[lathe migrate\] 0 applied, [1-9]\d* already applied/);
  });

  it('refuses an unknown role with exit status 64 and the list of roles', async () => {
    const failure = await role(['trian']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 64 });
    expect((failure as { stderr: string }).stderr).toContain(
      "unknown role 'trian' (expected api, serve, ingest, train, evaluate, deploy, scoring or migrate)",
    );
  });

  it('builds from a pinned Node 20, runs as a non-root user under tini, production dependencies only', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim$/m);
    for (const from of dockerfile.match(/^FROM .*$/gm)!) expect(from).not.toMatch(/:latest\b/);
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile --prod/);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'), dockerfile.indexOf('AS train-gpu'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "\/usr\/local\/bin\/lathe-role"\]$/m);
    expect(runtime).not.toMatch(/COPY --from=build \/src\/node_modules/);
  });
});
