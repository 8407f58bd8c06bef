/**
 * The evaluate worker: config → connections → handler → start; SIGTERM/SIGINT stop taking jobs, let
 * the active one finish (or, past the shutdown timeout, leave it to be picked up as stalled),
 * and close connections.
 */
import { createLogger, createMetricsRegistry, loadConfig, onShutdown } from '@lathe/core';
import { createPipeline, serveHealth, startWorkers, workerEnvSchema } from '@lathe/queues';
import { createRegistry } from '@lathe/registry';
import { evaluateHandler } from './handler.ts';

const config = loadConfig(workerEnvSchema);
const logger = createLogger('evaluate-worker', config.LATHE_LOG_LEVEL);
const registry = createRegistry({ databaseUrl: config.DATABASE_URL });
const pipeline = createPipeline({
  registry,
  connection: config.REDIS_URL,
  prefix: config.LATHE_QUEUE_PREFIX,
  logger,
  codeVersion: config.LATHE_CODE_VERSION,
  ...(config.LATHE_LOCK_DURATION_MS ? { jobs: { evaluate: { lockDurationMs: config.LATHE_LOCK_DURATION_MS } } } : {}),
});
const metrics = createMetricsRegistry('evaluate-worker');
const workers = await startWorkers({
  pipeline,
  stages: ['evaluate'],
  handlers: { evaluate: evaluateHandler },
  ...(config.LATHE_WORKER_CONCURRENCY ? { concurrency: config.LATHE_WORKER_CONCURRENCY } : {}),
  metricsRegistry: metrics,
  logger,
});
const health = config.LATHE_HEALTH_PORT > 0 ? await serveHealth(workers, { port: config.LATHE_HEALTH_PORT, metrics: [metrics, pipeline.metricsRegistry] }) : null;

onShutdown(
  [
    { name: 'health', close: () => new Promise<void>((resolve) => (health ? health.close(() => resolve()) : resolve())) },
    { name: 'workers', close: () => workers.close() },
    { name: 'pipeline', close: () => pipeline.close() },
    { name: 'registry', close: () => registry.$disconnect() },
  ],
  logger,
);
