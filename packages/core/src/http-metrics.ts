/**
 * Prometheus metrics of an HTTP service: request count and latency by route and status, named
 * after the service (`lathe_<service>_requests_total`). The middleware is typed structurally,
 * so this package does not depend on Express.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from './telemetry.ts';

type Middleware = (
  req: { method: string; route?: unknown },
  res: { statusCode: number; on(event: 'finish', listener: () => void): unknown },
  next: () => void,
) => void;

export function createHttpMetrics(service: string): { registry: Registry; middleware: Middleware } {
  const registry = createMetricsRegistry(service);
  const requests = new Counter({
    name: `lathe_${service}_requests_total`,
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `lathe_${service}_request_duration_seconds`,
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const middleware: Middleware = (req, res, next) => {
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
