/** Environment of a stage worker process: the base variables plus worker tuning. */
import { z } from 'zod';
import { baseEnvSchema } from '@lathe/core';

export const workerEnvSchema = baseEnvSchema.extend({
  /** Jobs one process runs at once; unset: the catalog's value for the stage. */
  LATHE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  /** Port of GET /healthz and /metrics (default: the role's, 9101–9104); 0 turns the endpoint off. */
  LATHE_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Lock duration of stage jobs (a dead worker's job is retried after about this long). */
  LATHE_LOCK_DURATION_MS: z.coerce.number().int().min(1000).optional(),
});

export type WorkerConfig = z.infer<typeof workerEnvSchema>;
