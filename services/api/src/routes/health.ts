/** Probes and metrics: /healthz (the process answers), /readyz (Postgres and Redis answer), /metrics. */
import { Gauge, type Registry as MetricsRegistry } from 'prom-client';
import { z } from 'zod';
import { healthSchema, readinessSchema } from '@lathe/contract';
import { withDeadline } from '@lathe/core';
import { pingRegistry } from '@lathe/registry';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';

async function probe(
  name: string,
  check: () => Promise<unknown>,
  timeoutMs = 2000,
): Promise<{ name: string; ok: boolean; error?: string }> {
  try {
    await withDeadline(check(), timeoutMs, () => new Error(`no answer in ${timeoutMs} ms`));
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, error: (error as Error).message.split('\n')[0] ?? 'unreachable' };
  }
}

export function registerHealthRoutes(routes: RouteTable, deps: ApiDeps, metrics: MetricsRegistry): void {
  const checks = () =>
    Promise.all([
      probe('postgres', () => pingRegistry(deps.registry)),
      probe('redis', () => deps.redis.ping()),
    ]);
  // The readiness checks at every scrape: the "Postgres/Redis unreachable" alerts read this.
  new Gauge({
    name: 'lathe_dependency_up',
    help: 'Whether the API reached the dependency at scrape time (1) or not (0)',
    labelNames: ['dependency'],
    registers: [metrics],
    async collect() {
      for (const check of await checks()) this.set({ dependency: check.name }, check.ok ? 1 : 0);
    },
  });
  routes.add({
    method: 'get',
    path: '/healthz',
    summary: 'The process is up',
    tag: 'health',
    role: 'public',
    response: healthSchema,
    handler: async () => ({ status: 'ok' }),
  });
  routes.add({
    method: 'get',
    path: '/readyz',
    summary: 'Postgres and Redis are reachable (503 otherwise)',
    tag: 'health',
    role: 'public',
    response: readinessSchema,
    handler: async ({ res }) => {
      const results = await checks();
      const ready = results.every((check) => check.ok);
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: results });
      return undefined;
    },
  });
  routes.add({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'health',
    role: 'public',
    responseType: 'text/plain',
    response: z.string(),
    handler: async ({ res }) => {
      // The queue gauges too: the API is always up, while workers may be scaled to zero.
      const texts = await Promise.all([metrics.metrics(), deps.pipeline.metricsRegistry.metrics()]);
      res.type(metrics.contentType).send(texts.join('\n'));
      return undefined;
    },
  });
}
