/**
 * The deploy worker: its handler and the rollout monitor, wired by runStageWorkerProcess
 * (config, checks, shutdown).
 */
import { z } from 'zod';
import { createRoutingAnnouncer, runStageWorkerProcess, workerEnvSchema } from '@lathe/queues';
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
    const routing = createRoutingAnnouncer({
      redisUrl: config.REDIS_URL,
      prefix: config.LATHE_QUEUE_PREFIX,
      logger,
    });
    const rollouts = startRolloutLoop(registry, {
      intervalMs: config.LATHE_ROLLOUT_INTERVAL_MS,
      logger,
      metrics: createRolloutMetrics(metrics),
      announce: routing.announce,
    });
    return [
      { name: 'rollout monitor', close: () => rollouts.stop() },
      { name: 'routing changes', close: () => routing.close() },
    ];
  },
});
