/**
 * Prometheus rules and the Grafana dashboard as shipped: `promtool check rules` accepts the
 * rules, `promtool test rules` runs their unit tests (queue, serve, SRM, rollbacks, failures,
 * dependencies), `promtool check config` accepts the compose scrape config, and the dashboard's
 * panels all query the provisioned Prometheus data source. That every metric they name is
 * really exported is checked against running processes in prometheus-scrape.test.ts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../harness/index.ts';
import { dashboardExpressions, ruleExpressions } from './support/observability-files.ts';

const execFileAsync = promisify(execFile);
const promtool = (...args: string[]) => execFileAsync('promtool', args, { cwd: REPO_ROOT });

describe('Prometheus rules', () => {
  it('pass promtool check rules and check config', async () => {
    const rules = await promtool('check', 'rules', 'infra/prometheus/rules/lathe-alerts.yml');
    expect(rules.stdout).toMatch(/SUCCESS: 12 rules found/);
    const config = await promtool('check', 'config', '--syntax-only', 'infra/prometheus/prometheus.yml');
    expect(config.stdout).toMatch(/SUCCESS/);
  });

  it('pass their unit tests (promtool test rules)', async () => {
    const result = await promtool('test', 'rules', 'infra/prometheus/tests/lathe-alerts.test.yml');
    expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS/);
  });

  it('have a unit test for the queue, serve, SRM, rollback, gate and dependency alerts', () => {
    const tests = readFileSync(join(REPO_ROOT, 'infra/prometheus/tests/lathe-alerts.test.yml'), 'utf8');
    for (const alert of [
      'LatheQueueGrowing',
      'LatheServeLatencyHigh',
      'LatheServeErrorRate',
      'LatheSampleRatioMismatch',
      'LatheRollback',
      'LatheGateFailures',
      'LatheJobFailuresRising',
      'LatheJobsStalled',
      'LathePostgresUnreachable',
      'LatheRedisUnreachable',
    ])
      expect(tests).toContain(`alertname: ${alert}`);
    expect(ruleExpressions().length).toBe(12);
  });
});

describe('Grafana', () => {
  it('provisions the Prometheus data source the dashboard panels query, and the dashboard folder', () => {
    const datasources = parse(
      readFileSync(join(REPO_ROOT, 'infra/grafana/provisioning/datasources/prometheus.yaml'), 'utf8'),
    ) as { datasources: Array<{ uid: string; type: string; url: string }> };
    const [source] = datasources.datasources;
    expect(source).toMatchObject({
      uid: 'lathe-prometheus',
      type: 'prometheus',
      url: 'http://prometheus:9090',
    });
    const providers = parse(
      readFileSync(join(REPO_ROOT, 'infra/grafana/provisioning/dashboards/lathe.yaml'), 'utf8'),
    ) as { providers: Array<{ options: { path: string } }> };
    expect(providers.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');

    const dashboard = JSON.parse(
      readFileSync(join(REPO_ROOT, 'infra/grafana/dashboards/lathe.json'), 'utf8'),
    ) as {
      uid: string;
      panels: Array<{
        id: number;
        type: string;
        title: string;
        datasource?: { uid: string };
        targets?: unknown[];
      }>;
    };
    expect(dashboard.uid).toBe('lathe-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['Queues', 'Training', 'Serving', 'A/B tests', 'Dependencies']);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid, panel.title).toBe(source!.uid);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
    expect(dashboardExpressions().some((e) => e.includes('lathe_serve_served_seconds_bucket'))).toBe(true);
  });
});
