/** Endpoints as a serving layer sees them: which model version answers a unit's request. */
import { z } from 'zod';
import { endpointNameSchema } from './deployments.ts';

export const endpointParams = z.object({ endpoint: endpointNameSchema });
export const unitRouteQuery = z.object({
  unitId: z.string().min(1).max(200).describe('the unit (a user, a session) an A/B test assigns'),
});

export const unitRouteSchema = z.object({
  endpoint: z.string().describe('the endpoint'),
  unitId: z.string().describe('the unit'),
  modelVersionId: z.uuid().describe('the model version that answers it'),
  abTest: z
    .object({
      id: z.uuid().describe('the A/B test'),
      name: z.string().describe('its name'),
      step: z.number().int().describe('its current traffic step'),
      variant: z.string().describe("the unit's variant"),
    })
    .nullable()
    .describe('the running A/B test that routes the unit; null when the active deployment does'),
  deploymentId: z.uuid().nullable().describe('the deployment that serves it'),
});
