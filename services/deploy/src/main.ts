/**
 * The deploy worker: its handler and the rollout monitor, wired by runStageWorkerProcess
 * (config, checks, shutdown).
 */
import { z } from 'zod';
import { loadConfig } from '@lathe/core';
import { runStageWorkerProcess } from '@lathe/queues';
import { deployHandler } from './handler.ts';
import { createRolloutMetrics } from './rollout-metrics.ts';
import { startRolloutLoop } from './rollout-loop.ts';

await runStageWorkerProcess({
  name: 'deploy-worker',
  stages: ['deploy'],
  handlers: { deploy: deployHandler },
  defaultHealthPort: 9104,
  extras: ({ registry, logger, metrics }) => {
    const { LATHE_ROLLOUT_INTERVAL_MS } = loadConfig(
      // How often the rollout monitor re-evaluates running A/B tests.
      z.object({ LATHE_ROLLOUT_INTERVAL_MS: z.coerce.number().int().min(100).default(300_000) }),
    );
    const rollouts = startRolloutLoop(registry, {
      intervalMs: LATHE_ROLLOUT_INTERVAL_MS,
      logger,
      metrics: createRolloutMetrics(metrics),
    });
    return [{ name: 'rollout monitor', close: () => rollouts.stop() }];
  },
});
