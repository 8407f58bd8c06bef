/**
 * Prometheus metrics. One registry per process; modules register their metrics on it lazily so
 * that importing a package has no side effects.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export function createMetricsRegistry(service: string, options: { defaults?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
