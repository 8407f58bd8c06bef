/**
 * The serving gateway: config → registry, artifact store, backend, routing changes (Redis) →
 * app.listen; SIGTERM closes the HTTP server (in-flight requests finish), writes the buffered
 * exposures and shadow comparisons, then disposes the models and closes the registry.
 */
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import {
  createLogger,
  listenHttp,
  loadConfig,
  onShutdown,
  runMain,
  startTracing,
  tracingConfigFromEnv,
} from '@lathe/core';
import { selectBackend } from '@lathe/ml';
import { subscribeRoutingChanges } from '@lathe/queues';
import { assertDatabaseReachable, createRegistry } from '@lathe/registry';
import { createAbEventLog } from './ab-event-log.ts';
import { createBatchedModels } from './batched-models.ts';
import { serveConfigFromEnv, serveEnvSchema } from './config.ts';
import { createClientKeys } from './client-keys.ts';
import { createEndpointRouter } from './endpoint-router.ts';
import { createModelCache, modelVersionLoader } from './model-cache.ts';
import { createServeApp } from './serve-app.ts';
import { createServingMetrics } from './serving-metrics.ts';
import { createShadowLog } from './shadow-log.ts';

await runMain('serve', async () => {
  const env = loadConfig(serveEnvSchema, process.env);
  const config = serveConfigFromEnv(env);
  const logger = createLogger('serve', env.LATHE_LOG_LEVEL);
  const tracing = await startTracing(tracingConfigFromEnv(env, 'serve'), logger);
  await assertDatabaseReachable(env.DATABASE_URL);
  const backend = await selectBackend({ prefer: env.LATHE_TF_BACKEND });
  const registry = createRegistry({ databaseUrl: env.DATABASE_URL });
  const models = createModelCache({
    load: modelVersionLoader({
      registry,
      store: createArtifactStore(artifactStoreConfigFromEnv(process.env)),
      logger,
    }),
    size: config.models,
  });
  const events = createAbEventLog({ registry, flushMs: config.flushMs, logger });
  const shadows = createShadowLog({ registry, flushMs: config.flushMs, logger });
  const router = createEndpointRouter(registry, {
    ttlMs: config.routeTtlMs,
    logger,
    assignmentSkew: config.assignmentSkew,
  });
  const routingChanges =
    config.routingPush === 'redis'
      ? subscribeRoutingChanges({
          redisUrl: env.REDIS_URL,
          prefix: env.LATHE_QUEUE_PREFIX,
          onChange: (endpoint) => router.expire(endpoint),
          logger,
        })
      : null;
  const keys =
    config.auth === 'api-key' ? createClientKeys(registry, { ttlMs: config.keyTtlMs, logger }) : null;
  const serving = createServingMetrics();
  const batched = createBatchedModels(config.batch, serving);
  const app = createServeApp({
    registry,
    router,
    models,
    batched,
    events,
    shadows,
    metrics: serving,
    keys,
    config,
    logger,
  });
  const http = await listenHttp('http', app, { port: env.LATHE_SERVE_PORT, host: env.LATHE_SERVE_HOST });
  logger.info(
    { port: env.LATHE_SERVE_PORT, host: env.LATHE_SERVE_HOST, backend: backend.name, auth: config.auth },
    'serve listening',
  );
  onShutdown(
    [
      http,
      ...(routingChanges ? [{ name: 'routing-changes', close: () => routingChanges.close() }] : []),
      { name: 'ab-events', close: () => events.close() },
      { name: 'shadow-comparisons', close: () => shadows.close() },
      { name: 'models', close: () => models.close() },
      { name: 'registry', close: () => registry.$disconnect() },
      tracing,
    ],
    logger,
  );
});
