/** Prometheus metrics of the HTTP layer: request count and latency by route and status. */
import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from '@lathe/core';

export function createHttpMetrics(): { registry: Registry; middleware: RequestHandler } {
  const registry = createMetricsRegistry('api');
  const requests = new Counter({
    name: 'lathe_api_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'lathe_api_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, not the URL: ids would explode the label cardinality.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      end({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware };
}
