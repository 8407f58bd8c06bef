/** Deployments: which model version serves an endpoint, and how it got there. */
import { z } from 'zod';
import { endpointName, paginationQuery, timestamp } from './common.ts';

export const deploymentStatusSchema = z
  .enum(['pending', 'active', 'rolling_out', 'rolled_back', 'retired', 'failed'])
  .describe('where the deployment is in its life');

/** A shadow deployment's comparison with production, per answer (an instance's prediction, a top-k list). */
export const shadowComparisonSchema = z
  .object({
    answers: z.number().int().describe('answers mirrored to the shadow model'),
    errors: z.number().int().describe('mirrored answers the shadow model failed to give'),
    agreementRate: z
      .number()
      .nullable()
      .describe(
        "share of compared answers equal to production's (same label, same top item, score within 1%)",
      ),
    meanScoreDelta: z.number().nullable().describe("mean of shadow score − production's"),
    meanAbsScoreDelta: z.number().nullable().describe('mean absolute score delta'),
    meanShadowLatencyMs: z.number().nullable().describe("mean latency of the shadow's calls"),
    meanProductionLatencyMs: z.number().nullable().describe("mean latency of production's answers"),
  })
  .meta({ id: 'ShadowComparison' });

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
    warmedAt: timestamp
      .nullable()
      .describe('blue-green: when a gateway first had it loaded and warmed (the switch waits for it)'),
    shadow: shadowComparisonSchema
      .nullable()
      .describe("shadow: how its answers compared with production's; null for other strategies"),
    stoppedAt: timestamp
      .nullable()
      .describe(
        'when an operator ended its strategy (POST /deployments/{id}/stop); null while it runs or when another deployment replaced it',
      ),
    stopReason: z.string().nullable().describe('why it was stopped, as given to the stop call'),
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
  strategy: z
    .enum(['direct', 'shadow', 'blue_green'])
    .default('direct')
    .describe(
      'direct: serve all traffic now; shadow: receive a copy of live traffic, compared and discarded; blue_green: staged and warmed, switched to with POST /deployments/{id}/switch',
    ),
});

export const stopDeploymentBody = z.strictObject({
  reason: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe('why, kept on the deployment and in the audit log (default: "stopped through the API")'),
});

export const switchDeploymentResponse = z
  .object({
    active: deploymentSchema.describe('the deployment now serving all traffic'),
    standby: deploymentSchema.nullable().describe('the one it replaced, kept warm: switch back to it'),
  })
  .meta({ id: 'DeploymentSwitch' });

export type Deployment = z.infer<typeof deploymentSchema>;
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;
