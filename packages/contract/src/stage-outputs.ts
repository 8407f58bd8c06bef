/**
 * What each pipeline stage returns, stored as its StageExecution.output and read back by the
 * stages after it. One schema per stage, so the runner can validate an output before storing it
 * and a later stage reads an earlier one's output typed instead of casting fields.
 */
import { z } from 'zod';

export const ingestOutputSchema = z.object({
  datasetVersionId: z.uuid().describe('the dataset version the run trains on'),
  sha256: z.string().describe("sha256 of the dataset version's content artifact"),
  rows: z.number().int().nonnegative().describe('rows in the dataset version'),
});

export const trainOutputSchema = z.object({
  modelVersionId: z.uuid().describe('the model version this run registered'),
  version: z.number().int().positive().describe("the model version's number within its model"),
  sha256: z.string().describe("sha256 of the model bundle's artifact"),
  epochs: z.number().int().nonnegative().describe('epochs completed'),
  stoppedEarly: z.boolean().describe('whether early stopping ended training'),
  resumedFromEpoch: z.number().int().nullable().describe('the checkpoint epoch a restarted job resumed from'),
  backend: z.string().describe('the tfjs backend that trained it'),
});

export const evaluateOutputSchema = z.object({
  evaluationId: z.uuid().describe('the stored evaluation'),
  modelVersionId: z.uuid().describe('the model version evaluated'),
  verdict: z.enum(['passed', 'failed', 'overridden']).describe("the gate's verdict"),
  reasons: z.array(z.string()).describe('one reason per gate threshold'),
});

/** The plan of an A/B test the deploy stage started, as its policy declares it. */
export const deployPlanSchema = z.object({
  reachable: z.boolean().describe('whether the test can reach its minimum detectable effect'),
  message: z.string().describe('the plan in words'),
  sequentialUnits: z.number().describe('units per arm the sequential test needs'),
  sequentialDays: z.number().nullable().describe('days that takes at the declared traffic'),
});

export const deployOutputSchema = z.object({
  strategy: z
    .enum(['direct', 'none', 'ab_test'])
    .describe('direct: made production; none: already production; ab_test: an A/B test started'),
  modelVersionId: z.uuid().describe('the candidate model version'),
  deploymentId: z.uuid().nullable().describe('the deployment created, if any'),
  abTestId: z.uuid().nullable().describe('the A/B test started, if any'),
  reason: z.string().describe('why the stage chose this strategy'),
  plan: deployPlanSchema.nullable().describe("the A/B test's plan, when one started"),
});

/** Each stage's output schema, by stage name. */
export const stageOutputSchemas = {
  ingest: ingestOutputSchema,
  train: trainOutputSchema,
  evaluate: evaluateOutputSchema,
  deploy: deployOutputSchema,
} as const;

export type StageName = keyof typeof stageOutputSchemas;
export type IngestOutput = z.infer<typeof ingestOutputSchema>;
export type TrainOutput = z.infer<typeof trainOutputSchema>;
export type EvaluateOutput = z.infer<typeof evaluateOutputSchema>;
export type DeployOutput = z.infer<typeof deployOutputSchema>;
export type StageOutputOf<S extends StageName> = z.infer<(typeof stageOutputSchemas)[S]>;
