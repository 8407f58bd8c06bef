/**
 * The gateway's per-prediction explanations, declared once:
 *   POST /v1/endpoints/:endpoint/explain  explainRequestSchema → explainResponseSchema
 * The instance is a tabular row ({features}), an image ({pixels}) or a text ({text}); the answer
 * names its method (Shapley sampling, integrated gradients, token occlusion) and its cost in
 * model evaluations.
 */
import { z } from 'zod';
import { servingUnitIdSchema } from './serving.ts';

const featureValue = z.union([z.number(), z.string(), z.null()]);
export const explainTabularInstanceSchema = z.strictObject({ features: z.record(z.string(), featureValue) });

export const explainRequestSchema = z.strictObject({
  unitId: servingUnitIdSchema.optional(),
  instance: z.union([
    explainTabularInstanceSchema,
    z.strictObject({ pixels: z.array(z.number()).max(4 * 1024 * 1024) }),
    z.strictObject({ text: z.string().max(100_000) }),
  ]),
  /** Tabular only; default: every feature missing (the training means, an unknown category). */
  baseline: explainTabularInstanceSchema.optional(),
  /** The class to explain; default: the predicted one. */
  label: z.string().optional(),
  /** Tabular: sampled feature orderings (cost orderings × (features + 1) rows). */
  orderings: z.number().int().min(1).max(64).default(16),
  /** Images: integrated-gradient steps (cost steps + 2 images). */
  steps: z.number().int().min(1).max(128).default(32),
  seed: z.number().int().min(0).default(0),
});

const explained = {
  endpoint: z.string(),
  modelVersionId: z.string(),
  /** The class whose probability is explained. */
  label: z.string(),
  probability: z.number(),
  /** Rows, images or texts the model ran on for this answer. */
  evaluations: z.number().int(),
};

export const explainResponseSchema = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('shapley_sampling'),
    ...explained,
    baselineProbability: z.number(),
    contributions: z.array(z.object({ feature: z.string(), contribution: z.number() })),
  }),
  z.object({
    method: z.literal('integrated_gradients'),
    ...explained,
    baselineProbability: z.number(),
    baseline: z.literal('black'),
    shape: z.object({ width: z.number().int(), height: z.number().int(), channels: z.number().int() }),
    /** One per pixel value, in the layout of `pixels`. */
    attributions: z.array(z.number()),
    /** `attributions` summed over channels: height × width, row-major. */
    map: z.array(z.number()),
    /** |Σ attributions − (probability − baselineProbability)|: the midpoint rule's error. */
    completenessGap: z.number(),
    steps: z.number().int(),
  }),
  z.object({
    method: z.literal('token_occlusion'),
    ...explained,
    /** The label's probability for the empty text. */
    emptyProbability: z.number(),
    tokens: z.array(z.string()),
    contributions: z.array(
      z.object({ index: z.number().int(), token: z.string(), contribution: z.number() }),
    ),
  }),
]);

export type ExplainRequest = z.infer<typeof explainRequestSchema>;
export type ExplainResponse = z.infer<typeof explainResponseSchema>;
