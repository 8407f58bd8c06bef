/**
 * The batch scoring worker as a process of its own (the image's `scoring` role): it consumes the
 * `scoring` queue only, so scoring scales on its own backlog (KEDA, infra/k8s) and a long job does
 * not take an evaluate worker's CPU. Same wiring as the stage workers (runStageWorkerProcess:
 * config, checks, /healthz and /metrics on 9105, graceful shutdown), with no stage of its own.
 * The evaluate worker then runs with LATHE_EVALUATE_SCORING=off.
 */
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import { runStageWorkerProcess, startScoringWorker, workerEnvSchema } from '@lathe/queues';
import { createScoringHandler } from './scoring/score-dataset.ts';

await runStageWorkerProcess({
  name: 'scoring-worker',
  stages: [],
  defaultHealthPort: 9105,
  env: process.env,
  config: workerEnvSchema,
  handlers: {},
  extras: async ({ config, pipeline, registry, logger, metrics }) => {
    const store = createArtifactStore(artifactStoreConfigFromEnv(process.env));
    return [
      await startScoringWorker({
        pipeline,
        logger,
        score: createScoringHandler({ registry, store }),
        metricsRegistry: metrics,
        ...(config.LATHE_WORKER_CONCURRENCY ? { concurrency: config.LATHE_WORKER_CONCURRENCY } : {}),
      }),
    ];
  },
});
