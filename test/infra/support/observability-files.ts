/**
 * The PromQL expressions of the shipped alert rules and Grafana dashboard, and the metric names
 * they reference, for the tests that check them against what Lathe exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../harness/index.ts';

export function ruleExpressions(): string[] {
  const file = parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/rules/lathe-alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ expr: string }> }>;
  };
  return file.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

export function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(
    readFileSync(join(REPO_ROOT, 'infra/grafana/dashboards/lathe.json'), 'utf8'),
  ) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

/**
 * Lathe metric names in an expression (`lathe_…`), with a histogram's `_bucket`/`_count`/`_sum`
 * kept: those series exist only if the histogram was observed or declared.
 */
export function latheMetricNames(expressions: string[]): string[] {
  const names = new Set<string>();
  for (const expr of expressions)
    for (const match of expr.matchAll(/\blathe_[a-z0-9_]+/g)) names.add(match[0]);
  return [...names].sort();
}
