/** Model versions (immutable, content-addressed) and the aliases that point at them. */
import { z } from 'zod';
import { useCaseSchema } from '../rows.ts';
import { anyObject, timestamp } from './common.ts';

const modelName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"')
  .describe("the model's name (its experiment's name)");
const aliasName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, "_" or "-", starting with a letter')
  .describe('the alias, e.g. `production`');

export const modelVersionSchema = z
  .object({
    id: z.uuid().describe('the model version id'),
    modelName: z.string().describe('the model it is a version of'),
    version: z.number().int().describe('its number within the model, from 1'),
    runId: z.uuid().nullable().describe('the run that trained it'),
    useCase: useCaseSchema,
    modelFamily: z.string().describe('the model family that built it, e.g. `image-cnn`'),
    artifactUri: z.string().describe('where the bundle is in the artifact store'),
    sha256: z.string().describe('sha256 of the bundle (checked before it is loaded)'),
    weightsSha256: z
      .string()
      .nullable()
      .describe('sha256 of the learned tensors alone: what `POST /runs/:id/reproduce` compares'),
    sizeBytes: z.string().describe('bundle size in bytes (a decimal string: it may exceed 2^53)'),
    signature: z.unknown().describe('its inputs and outputs'),
    metrics: anyObject.describe('training metrics of the last epoch'),
    createdAt: timestamp.describe('when it was registered'),
  })
  .meta({ id: 'ModelVersion', description: 'a trained model, immutable' });

export const modelAliasSchema = z
  .object({
    modelName: z.string().describe('the model'),
    alias: z.string().describe('the alias, e.g. `production`'),
    modelVersionId: z.uuid().describe('the version it points at'),
    revision: z.number().int().describe('increases on every move (the ETag)'),
    updatedAt: timestamp.describe('when it last moved'),
    modelVersion: modelVersionSchema.optional().describe('the version it points at, when included'),
  })
  .meta({ id: 'ModelAlias', description: 'a movable name for one version of a model' });

export const modelSummarySchema = z.object({
  modelName: z.string().describe('the model'),
  versions: z.number().int().describe('how many versions it has'),
  latest: modelVersionSchema.describe('its newest version'),
  aliases: z.record(z.string(), z.number().int()).describe('alias → the version number it points at'),
});

export const listModelsQuery = z.object({
  useCase: useCaseSchema.optional(),
  name: z.string().max(200).optional().describe('models whose name contains this'),
});
export const modelListSchema = z.object({
  items: z.array(modelSummarySchema).describe('every model, by name'),
});

export const modelNameParams = z.object({ name: modelName });
export const modelAliasParams = z.object({ name: modelName, alias: aliasName });

export const moveAliasBody = z
  .strictObject({
    modelVersionId: z.uuid().optional().describe('the version to point at (or give `version`)'),
    version: z.number().int().min(1).optional().describe('the version number to point at'),
    reason: z.string().max(1000).optional().describe('why, kept in the alias history'),
  })
  .refine((b) => (b.modelVersionId === undefined) !== (b.version === undefined), {
    message: 'give exactly one of modelVersionId or version',
  });

export const rollbackAliasBody = z.strictObject({
  reason: z.string().max(1000).optional().describe('why, kept in the alias history'),
});

export const aliasListSchema = z.object({ items: z.array(modelAliasSchema).describe("the model's aliases") });

export type ModelVersion = z.infer<typeof modelVersionSchema>;
export type ModelAlias = z.infer<typeof modelAliasSchema>;
export type ModelSummary = z.infer<typeof modelSummarySchema>;

/**
 * A model family of the catalogue (GET /model-families). Its `defaults` are the family's own
 * hyperparameter schema's output, which @lathe/ml owns: the API documents them per family.
 */
export const modelFamilySchema = z
  .object({
    family: z.string().describe('the name an experiment gives as modelFamily'),
    useCase: useCaseSchema.describe('the kind of dataset the family trains on'),
    description: z.string().describe('what the model is, in one line'),
    defaults: anyObject.describe("the family's hyperparameters with every default filled in"),
    hyperparameters: z
      .array(
        z.object({
          name: z.string().describe('the field of an experiment’s hyperparameters'),
          description: z.string().describe('what the field does, in one line'),
          default: z.unknown().optional().describe('the value used when the field is not given'),
          schema: z
            .record(z.string(), z.unknown())
            .describe('JSON Schema of the field: type, bounds, allowed values'),
        }),
      )
      .describe('every hyperparameter of the family, in declaration order'),
  })
  .meta({ id: 'ModelFamily', description: 'a model family and its hyperparameters' });

export const listModelFamiliesQuery = z.object({
  useCase: useCaseSchema.optional().describe('only the families of this use case'),
});

export type ModelFamilyEntry = z.infer<typeof modelFamilySchema>;
