/**
 * The model-family catalogue: each family's use case, description, defaults and hyperparameters
 * with their bounds and one-line descriptions. Everything comes from @lathe/ml's zod schemas,
 * the ones that validate an experiment's hyperparameters, so the catalogue cannot drift from
 * what is accepted; the OpenAPI document carries each family's schema as a component too.
 */
import { z } from 'zod';
import { MODEL_FAMILIES, hyperparameterSchemas, listModelFamilies } from '@lathe/ml';
import { listModelFamiliesQuery, modelFamilySchema } from '@lathe/contract';
import type { RouteTable } from '../openapi/route-table.ts';

/** Each family's own schema as an OpenAPI component (`MlpHyperparameters`, …). */
const componentName = (family: string) =>
  `${family.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase())}Hyperparameters`;
const familyDefaults = z
  .union(
    MODEL_FAMILIES.map(
      (family) => hyperparameterSchemas[family].meta({ id: componentName(family) }),
      // Why the cast: z.union wants a non-empty tuple type; MODEL_FAMILIES is a non-empty array the compiler sees only as an array.
    ) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]],
  )
  .describe("the family's hyperparameters with every default filled in");

const familySchema = modelFamilySchema.extend({ defaults: familyDefaults });

export function registerModelFamilyRoutes(routes: RouteTable): void {
  routes.add({
    method: 'get',
    path: '/model-families',
    summary: 'List the model families with their use case, hyperparameters, defaults and descriptions',
    tag: 'models',
    query: listModelFamiliesQuery,
    response: z.object({ items: z.array(familySchema).describe('one entry per model family') }),
    handler: async ({ query }) => ({
      items: listModelFamilies().filter((f) => !query.useCase || f.useCase === query.useCase),
    }),
  });
}
