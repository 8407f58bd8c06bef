/**
 * The evaluate worker: its handler over the artifact store and dataset reader, wired by
 * runStageWorkerProcess, and the batch scoring worker (the `scoring` queue) beside it.
 */
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess } from '@lathe/data';
import { runStageWorkerProcess, startScoringWorker, workerEnvSchema } from '@lathe/queues';
import { createEvaluateHandler } from './handler.ts';
import { createScoringHandler } from './scoring/score-dataset.ts';

await runStageWorkerProcess({
  name: 'evaluate-worker',
  stages: ['evaluate'],
  defaultHealthPort: 9103,
  env: process.env,
  config: workerEnvSchema,
  handlers: () => {
    const store = createArtifactStore(artifactStoreConfigFromEnv(process.env));
    return { evaluate: createEvaluateHandler({ store, datasets: createDatasetAccess(store) }) };
  },
  extras: async ({ pipeline, registry, logger }) => {
    const store = createArtifactStore(artifactStoreConfigFromEnv(process.env));
    return [await startScoringWorker({ pipeline, logger, score: createScoringHandler({ registry, store }) })];
  },
});
