/**
 * The deploy worker: its handler and the rollout monitor, wired by runStageWorkerProcess
 * (config, checks, shutdown).
 */
import { z } from 'zod';
import { runStageWorkerProcess, workerEnvSchema } from '@lathe/queues';
import { deployHandler } from './handler.ts';
import { createRolloutMetrics } from './rollout-metrics.ts';
import { startRolloutLoop } from './rollout-loop.ts';

await runStageWorkerProcess({
  name: 'deploy-worker',
  stages: ['deploy'],
  handlers: { deploy: deployHandler },
  defaultHealthPort: 9104,
  env: process.env,
  config: workerEnvSchema.extend({
    // How often the rollout monitor re-evaluates running A/B tests.
    LATHE_ROLLOUT_INTERVAL_MS: z.coerce.number().int().min(100).default(300_000),
  }),
  extras: ({ config, registry, logger, metrics }) => {
    const rollouts = startRolloutLoop(registry, {
      intervalMs: config.LATHE_ROLLOUT_INTERVAL_MS,
      logger,
      metrics: createRolloutMetrics(metrics),
    });
    return [{ name: 'rollout monitor', close: () => rollouts.stop() }];
  },
});
