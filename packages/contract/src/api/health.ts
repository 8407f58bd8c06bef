/** Probes: the process answers; Postgres and Redis answer. */
import { z } from 'zod';

export const healthSchema = z.object({ status: z.literal('ok').describe('the process answers') });

export const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']).describe('ready when every dependency answers'),
  checks: z
    .array(
      z.object({
        name: z.string().describe('the dependency: postgres or redis'),
        ok: z.boolean().describe('whether it answered in time'),
        error: z.string().optional().describe('why not'),
      }),
    )
    .describe('one per dependency'),
});
