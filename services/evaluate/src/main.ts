/**
 * The evaluate worker: its handler over the artifact store and dataset reader, wired by
 * runStageWorkerProcess, and the batch scoring worker (the `scoring` queue) beside it unless
 * LATHE_EVALUATE_SCORING=off, where a scoring process of its own (scoring-main.ts) takes that
 * queue, as on Kubernetes and under Compose.
 */
import { z } from 'zod';
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
  config: workerEnvSchema.extend({
    /** on: this process also runs batch scoring jobs; off: a scoring process does. */
    LATHE_EVALUATE_SCORING: z.enum(['on', 'off']).default('on'),
  }),
  handlers: () => {
    const store = createArtifactStore(artifactStoreConfigFromEnv(process.env));
    return { evaluate: createEvaluateHandler({ store, datasets: createDatasetAccess(store) }) };
  },
  extras: async ({ config, pipeline, registry, logger, metrics }) => {
    if (config.LATHE_EVALUATE_SCORING === 'off') return [];
    const store = createArtifactStore(artifactStoreConfigFromEnv(process.env));
    return [
      await startScoringWorker({
        pipeline,
        logger,
        score: createScoringHandler({ registry, store }),
        metricsRegistry: metrics,
      }),
    ];
  },
});
