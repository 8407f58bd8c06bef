/**
 * The deploy worker: config → connections → handler → start; SIGTERM/SIGINT stop taking jobs, let
 * the active one finish (or, past the shutdown timeout, leave it to be picked up as stalled),
 * and close connections.
 */
import { z } from 'zod';
import { createLogger, createMetricsRegistry, loadConfig, onShutdown } from '@lathe/core';
import { createPipeline, serveHealth, startWorkers, workerEnvSchema } from '@lathe/queues';
import { createRegistry } from '@lathe/registry';
import { deployHandler } from './handler.ts';
import { startRolloutLoop } from './rollout-loop.ts';

const config = loadConfig(
  workerEnvSchema.extend({
    /** How often the rollout monitor re-evaluates running A/B tests. */
    LATHE_ROLLOUT_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  }),
);
const logger = createLogger('deploy-worker', config.LATHE_LOG_LEVEL);
const registry = createRegistry({ databaseUrl: config.DATABASE_URL });
const pipeline = createPipeline({
  registry,
  connection: config.REDIS_URL,
  prefix: config.LATHE_QUEUE_PREFIX,
  logger,
  codeVersion: config.LATHE_CODE_VERSION,
  ...(config.LATHE_LOCK_DURATION_MS ? { jobs: { deploy: { lockDurationMs: config.LATHE_LOCK_DURATION_MS } } } : {}),
});
const metrics = createMetricsRegistry('deploy-worker');
const workers = await startWorkers({
  pipeline,
  stages: ['deploy'],
  handlers: { deploy: deployHandler },
  ...(config.LATHE_WORKER_CONCURRENCY ? { concurrency: config.LATHE_WORKER_CONCURRENCY } : {}),
  metricsRegistry: metrics,
  logger,
});
const rollouts = startRolloutLoop(registry, { intervalMs: config.LATHE_ROLLOUT_INTERVAL_MS, logger });
const health = config.LATHE_HEALTH_PORT > 0 ? await serveHealth(workers, { port: config.LATHE_HEALTH_PORT, metrics: [metrics, pipeline.metricsRegistry] }) : null;

onShutdown(
  [
    { name: 'health', close: () => new Promise<void>((resolve) => (health ? health.close(() => resolve()) : resolve())) },
    { name: 'workers', close: () => workers.close() },
    { name: 'rollout monitor', close: () => rollouts.stop() },
    { name: 'pipeline', close: () => pipeline.close() },
    { name: 'registry', close: () => registry.$disconnect() },
  ],
  logger,
);
