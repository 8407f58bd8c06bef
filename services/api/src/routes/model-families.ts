/**
 * The model-family catalogue: each family's use case, description, defaults and hyperparameters
 * with their bounds and one-line descriptions. Everything comes from @lathe/ml's zod schemas,
 * the ones that validate an experiment's hyperparameters, so the catalogue cannot drift from
 * what is accepted; the OpenAPI document carries each family's schema as a component too.
 */
import { z } from 'zod';
import { MODEL_FAMILIES, hyperparameterSchemas, listModelFamilies } from '@lathe/ml';
import { useCaseSchema } from '../openapi/common-schemas.ts';
import type { RouteTable } from '../openapi/route-table.ts';

/** Each family's own schema as an OpenAPI component (`MlpHyperparameters`, …). */
const componentName = (family: string) =>
  `${family.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase())}Hyperparameters`;
const familyDefaults = z
  .union(
    MODEL_FAMILIES.map((family) =>
      hyperparameterSchemas[family].meta({ id: componentName(family) }),
    ) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]],
  )
  .describe("the family's hyperparameters with every default filled in");

const familySchema = z
  .object({
    family: z.string().describe('the name an experiment gives as modelFamily'),
    useCase: useCaseSchema.describe('the kind of dataset the family trains on'),
    description: z.string().describe('what the model is, in one line'),
    defaults: familyDefaults,
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
  .meta({ id: 'ModelFamily' });

export function registerModelFamilyRoutes(routes: RouteTable): void {
  routes.add({
    method: 'get',
    path: '/model-families',
    summary: 'List the model families with their use case, hyperparameters, defaults and descriptions',
    tag: 'models',
    query: z.object({
      useCase: useCaseSchema.optional().describe('only the families of this use case'),
    }),
    response: z.object({ items: z.array(familySchema).describe('one entry per model family') }),
    handler: async ({ query }) => ({
      items: listModelFamilies().filter((f) => !query.useCase || f.useCase === query.useCase),
    }),
  });
}
