/**
 * A tiny health endpoint for a worker process (Kubernetes liveness/readiness): GET /healthz
 * answers 200 with the workers' state when Redis answers and every worker runs, else 503.
 * GET /metrics serves the process's Prometheus registry when one is given.
 */
import { listenHttp, type Closer } from '@lathe/core';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { WorkerGroup } from './workers.ts';

export async function serveHealth(
  group: Pick<WorkerGroup, 'health'>,
  options: { port: number; host?: string; metrics?: MetricsRegistry[] },
): Promise<Closer> {
  return listenHttp(
    'health',
    (req, res) => {
      void (async () => {
        try {
          if (req.url === '/healthz' || req.url === '/health') {
            const health = await group.health();
            res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' });
            res.end(JSON.stringify(health));
          } else if (req.url === '/metrics' && options.metrics?.length) {
            const texts = await Promise.all(options.metrics.map((m) => m.metrics()));
            res.writeHead(200, { 'content-type': options.metrics[0]!.contentType });
            res.end(texts.join('\n'));
          } else {
            res.writeHead(404).end();
          }
        } catch (error) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, error: (error as Error).message }));
        }
      })();
    },
    { port: options.port, host: options.host ?? '0.0.0.0' },
  );
}
