/** A reproduction: a run retrained from its own record, its weights compared with the original's. */
import { z } from 'zod';

const environmentSchema = z.object({
  name: z.string().describe('the tfjs backend, e.g. `wasm`'),
  version: z.string().describe("the backend package's version"),
  threads: z.number().int().describe('threads it computes with'),
  deterministic: z.boolean().describe('whether it computes the same bits from the same inputs'),
  reason: z.string().describe('why it is or is not deterministic'),
  lockfileSha256: z.string().nullable().describe('sha256 of the workspace lockfile it ran with'),
});

export const tensorDifferenceSchema = z.object({
  index: z.number().int().describe('position of the tensor in model order, from 0'),
  model: z.string().describe("the model's prefix in the bundle (`generator/`), empty for one-model families"),
  name: z.string().describe("the tensor's name in the original"),
  reason: z.enum(['missing', 'extra', 'shape', 'dtype', 'values']).describe('how it differs'),
  maxAbsDifference: z.number().optional().describe('float tensors: the largest absolute element difference'),
  differingElements: z.number().int().optional().describe('how many elements differ'),
});

export const runReproductionSchema = z
  .object({
    runId: z.uuid().describe('the run retrained'),
    modelVersionId: z.uuid().describe('the model version it registered'),
    datasetVersionId: z.uuid().describe('the dataset version both trainings read'),
    datasetSha256: z.string().nullable().describe("that dataset version's sha256"),
    verdict: z.enum(['identical', 'different']).describe('whether every weight tensor has the same bytes'),
    weights: z
      .object({
        identical: z.boolean().describe('whether the learned tensors have the same bytes'),
        originalSha256: z.string().describe("the original's weights sha256"),
        rerunSha256: z.string().describe("the rerun's weights sha256"),
        tensors: z.number().int().describe('tensors compared'),
        firstDifference: tensorDifferenceSchema.nullable().describe('the first tensor that differs'),
      })
      .describe("the original's and the rerun's learned tensors compared"),
    seed: z.number().int().describe('the seed both trainings used'),
    original: environmentSchema.describe('what the original trained on'),
    rerun: environmentSchema.describe('what the rerun trained on'),
    environmentDifferences: z.array(z.string()).describe('e.g. "backend version: 4.22.0 → 4.23.0"'),
    deterministic: z.boolean().describe('both trainings ran on a deterministic backend'),
    summary: z.string().describe('the verdict in one sentence'),
  })
  .meta({ id: 'RunReproduction', description: "a run's training repeated and its weights compared" });

export type RunReproduction = z.infer<typeof runReproductionSchema>;
