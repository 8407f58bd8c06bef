/**
 * A real Prometheus (Debian's) scraping real Lathe processes: the API, the gateway, the four
 * stage workers and the scoring worker, each started from its main.ts with its default
 * /metrics, after one pipeline run (real ingest, training, evaluation and deployment) and a
 * prediction. The scrape config is the
 * shipped one (infra/prometheus/prometheus.yml) with each job pointed at its process, and it
 * loads the shipped alert rules. Every target must be up, every rule loaded, and every Lathe
 * metric that an alert rule or a Grafana panel references must exist. The processes share a
 * queue prefix with a Redis Cluster hash tag, as the Kubernetes config sets it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { QUEUE_NAMES, createPipeline, type Pipeline } from '@lathe/queues';
import { createExperiment, ensureDataset } from '@lathe/registry';
import {
  REPO_ROOT,
  createTestDatabase,
  freePort,
  requireServices,
  startLatheProcess,
  type LatheProcess,
  type LatheRole,
  type TestDatabase,
} from '../harness/index.ts';
import { waitFor, waitForRun } from '../pipeline/support.ts';
import { dashboardExpressions, latheMetricNames, ruleExpressions } from './support/observability-files.ts';

const ROLES: LatheRole[] = ['api', 'serve', 'ingest', 'train', 'evaluate', 'deploy', 'scoring'];
const BREAST_CANCER_CSV = join(REPO_ROOT, 'test/stages/fixtures/breast-cancer-wisconsin.csv');

let db: TestDatabase;
let dir: string;
let prefix: string;
let pipeline: Pipeline;
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;
const processes = new Map<LatheRole, LatheProcess>();

async function prometheusApi<T>(path: string): Promise<T> {
  const response = await fetch(`${prometheusUrl}/api/v1/${path}`);
  const body = (await response.json()) as { status: string; data: T };
  if (body.status !== 'success') throw new Error(`prometheus ${path}: ${JSON.stringify(body)}`);
  return body.data;
}

beforeAll(async () => {
  const { redisUrl } = requireServices();
  db = await createTestDatabase('prom');
  dir = await mkdtemp(join(tmpdir(), 'lathe-prom-'));
  prefix = `{lathe-prom-${randomBytes(4).toString('hex')}}`;
  const env = {
    databaseUrl: db.schemaUrl,
    redisUrl,
    queuePrefix: prefix,
    artifactDir: join(dir, 'artifacts'),
  };
  // One at a time: on two cores, six TypeScript start-ups at once only slow each other down.
  for (const role of ROLES)
    processes.set(
      role,
      await startLatheProcess(role, {
        ...env,
        env:
          role === 'serve'
            ? { LATHE_SERVE_AUTH: 'none' }
            : // As Compose and Kubernetes run them: the scoring process takes the scoring queue.
              {
                LATHE_ROLLOUT_INTERVAL_MS: '1000',
                ...(role === 'evaluate' ? { LATHE_EVALUATE_SCORING: 'off' } : {}),
              },
      }),
    );
  pipeline = createPipeline({ registry: db.registry, connection: redisUrl, prefix });
}, 240_000);

afterAll(async () => {
  prometheus?.kill('SIGKILL');
  await Promise.all([...processes.values()].map((p) => p.stop()));
  await pipeline?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('Prometheus against running Lathe processes', () => {
  it('scrapes every target and finds every metric the alert rules and the dashboard reference', async () => {
    // One real run through the four worker processes; the first passing model goes to production.
    const dataset = await ensureDataset(db.registry, { name: 'prom-cancer', useCase: 'tabular' });
    const experiment = await createExperiment(db.registry, {
      name: 'prom-cancer',
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: { epochs: 2, batchSize: 32, hiddenUnits: [8] } as never,
      datasetId: dataset.id,
      source: {
        source: { kind: 'file', path: BREAST_CANCER_CSV },
        columnMap: { target: 'diagnosis' },
      } as never,
      gate: [],
      rolloutPolicy: {},
    });
    const run = await pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: 3 });
    const done = await waitForRun(pipeline, run.id, ['succeeded', 'failed'], 180_000);
    expect(done.errorMessage).toBeNull();
    expect(done.status).toBe('succeeded');

    // A prediction through the gateway (its latency per arm is a dashboard panel).
    const [header, firstRow] = (await readFile(BREAST_CANCER_CSV, 'utf8')).split('\n');
    const names = header!.split(',');
    const values = firstRow!.split(',').map(Number);
    const features = Object.fromEntries(names.slice(0, -1).map((name, i) => [name, values[i]]));
    const serve = processes.get('serve')!;
    const predicted = await waitFor(
      'the gateway to route the production model',
      async () => {
        const response = await fetch(`${serve.url}/v1/endpoints/${experiment.name}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ unitId: 'u-1', instances: [{ features }] }),
        });
        return response.status === 200 ? response : null;
      },
      30_000,
    );
    expect(((await predicted.json()) as { predictions: unknown[] }).predictions).toHaveLength(1);

    // The shipped scrape config, each job pointed at its process, scraping every second.
    const shipped = parse(await readFile(join(REPO_ROOT, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(REPO_ROOT, 'infra/prometheus/rules/lathe-alerts.yml')],
      scrape_configs: shipped.scrape_configs.map((job) => {
        const role = job.job_name.replace(/^lathe-/, '') as LatheRole;
        const process = processes.get(role);
        if (!process) throw new Error(`scrape job ${job.job_name} names no Lathe role`);
        return { ...job, static_configs: [{ targets: [`127.0.0.1:${process.port}`] }] };
      }),
    };
    expect(config.scrape_configs.map((j) => j.job_name).sort()).toEqual(
      ROLES.map((r) => `lathe-${r}`).sort(),
    );
    await writeFile(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );

    type Targets = { activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }> };
    const targets = await waitFor(
      'every target scraped',
      async () => {
        const data = await prometheusApi<Targets>('targets').catch(() => null);
        return data &&
          data.activeTargets.length === ROLES.length &&
          data.activeTargets.every((t) => t.health === 'up')
          ? data
          : null;
      },
      60_000,
    );
    expect(targets.activeTargets.map((t) => [t.labels.job, t.health, t.lastError]).sort()).toEqual(
      ROLES.map((r) => [`lathe-${r}`, 'up', '']).sort(),
    );

    const referenced = latheMetricNames([...ruleExpressions(), ...dashboardExpressions()]);
    expect(referenced.length).toBeGreaterThan(10);
    // Samples of a scrape reach the series index a moment after the target shows up.
    const exported = await waitFor(
      'the referenced metrics',
      async () => {
        const names = new Set(await prometheusApi<string[]>('label/__name__/values'));
        return referenced.every((name) => names.has(name)) ? names : null;
      },
      30_000,
    ).catch(async () => new Set(await prometheusApi<string[]>('label/__name__/values')));
    expect(referenced.filter((name) => !exported.has(name))).toEqual([]);

    type Rules = { groups: Array<{ rules: Array<{ name: string; health: string }> }> };
    const rules = (await prometheusApi<Rules>('rules')).groups.flatMap((g) => g.rules);
    expect(rules).toHaveLength(12);
    expect(rules.filter((r) => r.health === 'err')).toEqual([]);

    // The queue gauge carries a series for each stage queue, read from Redis under the hash-tagged prefix.
    type Vector = { result: Array<{ metric: { queue: string } }> };
    const depth = await prometheusApi<Vector>('query?query=max%20by%20(queue)%20(lathe_queue_depth)');
    expect(depth.result.map((r) => r.metric.queue).sort()).toEqual([...QUEUE_NAMES].sort());
  }, 300_000);
});
