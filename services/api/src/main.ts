/**
 * The API process: config → registry, Redis, pipeline → app.listen; SIGTERM closes the HTTP
 * server (in-flight requests finish), then the pipeline, Redis and the registry.
 */
import { Redis } from 'ioredis';
import {
  createLogger,
  listenHttp,
  loadConfig,
  onShutdown,
  runMain,
  startTracing,
  tracingConfigFromEnv,
} from '@lathe/core';
import { assertDatabaseReachable, createRegistry } from '@lathe/registry';
import { assertRedisReachable, createPipeline } from '@lathe/queues';
import { lockfileSha256, parseHyperparameters } from '@lathe/ml';
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess, piiSaltFromEnv } from '@lathe/data';
import { createApp } from './app.ts';
import { ingestWithData } from './ingest-with-data.ts';
import { createRunReproducer } from './reproduce-run.ts';
import { apiConfigFromEnv, apiEnvSchema } from './config.ts';

await runMain('api', async () => {
  const env = loadConfig(apiEnvSchema, process.env);
  const logger = createLogger('api', env.LATHE_LOG_LEVEL);
  const tracing = await startTracing(tracingConfigFromEnv(env, 'api'), logger);
  await assertDatabaseReachable(env.DATABASE_URL);
  await assertRedisReachable(env.REDIS_URL);
  const registry = createRegistry({ databaseUrl: env.DATABASE_URL });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false });
  const pipeline = createPipeline({
    registry,
    connection: env.REDIS_URL,
    prefix: env.LATHE_QUEUE_PREFIX,
    logger,
    codeVersion: env.LATHE_CODE_VERSION,
  });
  const store = createArtifactStore(artifactStoreConfigFromEnv(process.env));
  const lockfile = await lockfileSha256(import.meta.dirname);
  const { app } = createApp({
    registry,
    pipeline,
    redis,
    config: apiConfigFromEnv(env),
    logger,
    ingest: ingestWithData(registry, store, { piiSalt: piiSaltFromEnv(process.env) }),
    artifacts: store,
    reproduceRun: createRunReproducer({
      registry,
      store,
      datasets: createDatasetAccess(store),
      ...(lockfile !== undefined ? { lockfileSha256: lockfile } : {}),
    }),
    validateHyperparameters: (family, input) =>
      parseHyperparameters(family, input) as Record<string, unknown>,
  });
  const http = await listenHttp('http', app, { port: env.LATHE_API_PORT, host: env.LATHE_API_HOST });
  logger.info({ port: env.LATHE_API_PORT, host: env.LATHE_API_HOST }, 'api listening');
  onShutdown(
    [
      http,
      { name: 'pipeline', close: () => pipeline.close() },
      { name: 'redis', close: () => redis.quit() },
      { name: 'registry', close: () => registry.$disconnect() },
      tracing,
    ],
    logger,
  );
});
