/**
 * The serving gateway's app in this process, over a test's registry and artifact store, with a
 * viewer key of its own: what the route tests call (gateway-process.ts starts the real process).
 * Routing is read every 100 ms, events and shadow comparisons flushed every 50 ms.
 */
import type { LocalArtifactStore } from '@lathe/artifacts';
import { silentLogger } from '@lathe/core';
import { train, type TrainOptions } from '@lathe/ml';
import { createApiKey, generateApiKey, registerModelVersion, type Registry } from '@lathe/registry';
import {
  createAbEventLog,
  createBatchedModels,
  createClientKeys,
  createEndpointRouter,
  createModelCache,
  createServeApp,
  createServingMetrics,
  createShadowLog,
  modelVersionLoader,
} from '../../services/serve/src/index.ts';
import { listenForTest } from './ports.ts';

export interface InProcessGateway {
  url: string;
  /** A viewer key, as `Bearer` credentials. */
  key: string;
  close(): Promise<void>;
}

export async function startInProcessGateway(
  registry: Registry,
  store: LocalArtifactStore,
  keyName: string,
): Promise<InProcessGateway> {
  const secret = generateApiKey();
  await createApiKey(registry, { name: keyName, role: 'viewer', prefix: secret.prefix, hash: secret.hash });
  const models = createModelCache({
    load: modelVersionLoader({ registry, store, logger: silentLogger }),
    size: 2,
  });
  const events = createAbEventLog({ registry, flushMs: 50, logger: silentLogger });
  const shadows = createShadowLog({ registry, flushMs: 50, logger: silentLogger });
  const serving = createServingMetrics();
  const batch = { maxBatchSize: 64, maxWaitMs: 1, maxQueuedRows: 1024 };
  const app = createServeApp({
    registry,
    router: createEndpointRouter(registry, { ttlMs: 100, logger: silentLogger }),
    models,
    batched: createBatchedModels(batch, serving),
    events,
    shadows,
    metrics: serving,
    keys: createClientKeys(registry, { ttlMs: 200, logger: silentLogger }),
    config: {
      jsonLimitBytes: 64 * 1024,
      maxInstances: 16,
      routeTtlMs: 100,
      models: 2,
      flushMs: 50,
      auth: 'api-key',
      keyTtlMs: 200,
      batch,
      deadlineMs: 10_000,
      routingPush: 'off',
    },
    logger: silentLogger,
  });
  const { url, close: stop } = await listenForTest(app);
  return {
    url,
    key: secret.key,
    async close() {
      await stop();
      await events.close();
      await shadows.close();
      await models.close();
    },
  };
}

/** Trains a model, stores and registers it as `endpoint`'s version, and deploys it there directly. */
export async function deployTrained(
  registry: Registry,
  store: LocalArtifactStore,
  endpoint: string,
  options: TrainOptions,
): Promise<void> {
  const result = await train(options);
  const stored = await store.put(result.buffer);
  const { modelVersion } = await registerModelVersion(registry, {
    modelName: endpoint,
    useCase: options.dataset.useCase,
    modelFamily: options.family,
    artifactUri: stored.uri,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    signature: result.bundle.signature as never,
  });
  await registry.deployment.create({
    data: { endpoint, modelVersionId: modelVersion.id, strategy: 'direct', status: 'active', traffic: 1 },
  });
}
