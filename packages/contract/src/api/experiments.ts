/**
 * Experiments: what to train (model family, hyperparameters, dataset, source), the gate a model
 * must pass and the rollout policy of its A/B tests. The gate and the policy are the schemas the
 * evaluate stage and the rollout monitor run (gate.ts, @lathe/experiments).
 */
import { z } from 'zod';
import { rolloutPolicySchema } from '@lathe/experiments';
import { gateThresholdSchema } from '../gate.ts';
import { storedIngestSpecSchema } from '../ingest-spec.ts';
import { useCaseSchema } from '../rows.ts';
import { anyObject, paginationQuery, timestamp } from './common.ts';

export const experimentSchema = z
  .object({
    id: z.uuid().describe('the experiment id'),
    name: z.string().describe('its unique name; also its serving endpoint and model name'),
    description: z.string().describe('what it is for'),
    useCase: useCaseSchema,
    modelFamily: z.string().describe('the model family it trains, e.g. `tabular-mlp`'),
    hyperparameters: anyObject.describe("the family's hyperparameters"),
    datasetId: z.uuid().describe('the dataset it trains on'),
    source: anyObject
      .nullable()
      .describe('where ingest reads new data from; null: the latest dataset version'),
    gate: z.array(gateThresholdSchema).describe('thresholds a model must pass to be deployed'),
    rolloutPolicy: anyObject.describe(
      "how its A/B tests run and decide (@lathe/experiments' rollout policy)",
    ),
    cacheEnabled: z.boolean().describe('whether stages reuse an earlier output for the same inputs'),
    revision: z.number().int().describe('increases on every change (the ETag)'),
    archivedAt: timestamp.nullable().describe('when it was archived; null while active'),
    createdAt: timestamp.describe('when it was created'),
    updatedAt: timestamp.describe('when it last changed'),
  })
  .meta({ id: 'Experiment', description: 'what to train, how to gate it and how to roll it out' });

const experimentName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit')
  .describe('a unique name');

/**
 * Where the ingest stage reads new data from: a source, or a source with ingest settings. Never
 * credentials: a Postgres source names a connection configured in the ingest workers'
 * environment (docs/connections.md); a body carrying a secret is refused with 422
 * `secret_in_request` before it is validated.
 */
const experimentSource = storedIngestSpecSchema.describe(
  'where ingest reads new data from: a source, or a source with ingest settings (never credentials)',
);
const description = z.string().max(5000).describe('what it is for');
const modelFamily = z.string().min(1).max(100).describe('the model family to train, e.g. `tabular-mlp`');
const hyperparameters = anyObject.describe(
  "the family's hyperparameters, checked against the family; GET /model-families lists each family's fields with their defaults and descriptions (the …Hyperparameters schemas)",
);
const gate = z.array(gateThresholdSchema).max(50).describe('thresholds a model must pass to be deployed');
const cacheEnabled = z.boolean().describe('whether stages reuse an earlier output for the same inputs');

export const createExperimentBody = z.strictObject({
  name: experimentName,
  description: description.optional(),
  useCase: useCaseSchema,
  modelFamily,
  hyperparameters: hyperparameters.default({}),
  datasetId: z.uuid().describe('the dataset to train on'),
  source: experimentSource.nullable().optional(),
  gate: gate.default([]),
  rolloutPolicy: rolloutPolicySchema
    .default(rolloutPolicySchema.parse({}))
    .describe('how its A/B tests run and decide'),
  cacheEnabled: cacheEnabled.optional(),
});

export const updateExperimentBody = z
  .strictObject({
    name: experimentName,
    description,
    modelFamily,
    hyperparameters,
    datasetId: z.uuid().describe('the dataset to train on'),
    source: experimentSource.nullable(),
    gate,
    rolloutPolicy: rolloutPolicySchema.describe('how its A/B tests run and decide'),
    cacheEnabled,
    archived: z.boolean().describe('archive (true) or restore (false)'),
  })
  .partial();

export const listExperimentsQuery = paginationQuery.extend({
  useCase: useCaseSchema.optional(),
  name: z.string().max(200).optional().describe('exact name'),
  modelFamily: z.string().max(100).optional().describe('only experiments of this model family'),
  datasetId: z.uuid().optional().describe('only experiments on this dataset'),
  archived: z.enum(['true', 'false', 'all']).default('false').describe('archived ones, active ones, or all'),
  sort: z
    .enum(['name', '-name', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'])
    .default('-createdAt')
    .describe('order; `-` descending'),
});

export type Experiment = z.infer<typeof experimentSchema>;
export type GateRule = z.infer<typeof gateThresholdSchema>;
