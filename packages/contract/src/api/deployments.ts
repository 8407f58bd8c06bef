/** Deployments: which model version serves an endpoint, and how it got there. */
import { z } from 'zod';
import { endpointName, paginationQuery, timestamp } from './common.ts';

export const deploymentStatusSchema = z
  .enum(['pending', 'active', 'rolling_out', 'rolled_back', 'retired', 'failed'])
  .describe('where the deployment is in its life');

export const deploymentSchema = z
  .object({
    id: z.uuid().describe('the deployment id'),
    endpoint: z.string().describe('the serving endpoint'),
    modelVersionId: z.uuid().describe('the model version it serves'),
    runId: z.uuid().nullable().describe('the run whose deploy stage made it; null when made through the API'),
    strategy: z
      .enum(['direct', 'ab_test', 'shadow', 'blue_green'])
      .describe(
        'direct: all traffic; ab_test: an A/B test arm; shadow: mirrored traffic; blue_green: warmed, then switched',
      ),
    status: deploymentStatusSchema,
    traffic: z.number().describe("share of the endpoint's traffic, 0..1"),
    createdAt: timestamp.describe('when it was made'),
    updatedAt: timestamp.describe('when it last changed'),
    retiredAt: timestamp.nullable().describe('when it stopped serving'),
  })
  .meta({ id: 'Deployment', description: 'a model version serving an endpoint' });

export const endpointNameSchema = endpointName.describe('the serving endpoint (the experiment name)');

export const listDeploymentsQuery = paginationQuery.extend({
  endpoint: endpointNameSchema.optional(),
  status: deploymentStatusSchema.optional(),
  modelVersionId: z.uuid().optional().describe('only deployments of this model version'),
});

export const createDeploymentBody = z.strictObject({
  endpoint: endpointNameSchema,
  modelVersionId: z.uuid().describe('the model version to serve'),
});

export type Deployment = z.infer<typeof deploymentSchema>;
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;
