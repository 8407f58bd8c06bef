/**
 * The serving gateway's requests and responses, declared once: the gateway validates with
 * them, the CLI and traffic simulators build and read them.
 *   POST /v1/endpoints/:endpoint/predict    predictRequestSchema    → predictResponseSchema
 *   POST /v1/endpoints/:endpoint/recommend  recommendRequestSchema  → recommendResponseSchema
 *   POST /v1/endpoints/:endpoint/outcomes   outcomeRequestSchema    → outcomeResponseSchema
 */
import { z } from 'zod';

/** The unit an A/B test assigns (a shopper, a session); needed only while a test runs on the endpoint. */
export const servingUnitIdSchema = z.string().min(1).max(200);

/** One row as the model's family reads it ({features}, {text}, {pixels}, {user, item}). */
export const servingInstanceSchema = z.record(z.string(), z.unknown());

/** CUPED: the unit's own pre-exposure value per metric, instead of its history at the endpoint. */
const covariates = z.record(z.string(), z.number().finite());

export const predictRequestSchema = z.strictObject({
  unitId: servingUnitIdSchema.optional(),
  instances: z.array(servingInstanceSchema).min(1),
  covariates: covariates.optional(),
});

/** The A/B test arm that answered, null outside a test. */
export const servedAbTestSchema = z
  .object({ id: z.string(), variant: z.string(), step: z.number().int() })
  .nullable();

export const predictionSchema = z.object({
  label: z.string().optional(),
  probabilities: z.record(z.string(), z.number()).optional(),
  score: z.number().optional(),
  fallback: z.boolean().optional(),
});

export const predictResponseSchema = z.object({
  endpoint: z.string(),
  modelVersionId: z.string(),
  abTest: servedAbTestSchema,
  predictions: z.array(predictionSchema),
});

const itemIds = z.array(z.string().min(1).max(200)).max(10_000);

export const recommendRequestSchema = z.strictObject({
  /** The A/B unit; defaults to `userId` (the shopper is the unit). */
  unitId: servingUnitIdSchema.optional(),
  /** The shopper; absent or unknown to the model: the popularity ranking. */
  userId: z.string().min(1).max(200).optional(),
  k: z.number().int().min(1).max(1_000),
  /** Items never to return (already in the basket…). */
  exclude: itemIds.optional(),
  /** Rank only these items (the ones the model version knows). */
  candidates: itemIds.min(1).optional(),
  /** Also return what the user interacted with in the model version's training data. */
  includeSeen: z.boolean().optional(),
  covariates: covariates.optional(),
});

export const recommendResponseSchema = z.object({
  endpoint: z.string(),
  modelVersionId: z.string(),
  abTest: servedAbTestSchema,
  /** `model`: ranked by the model for a user it knows; `popularity`: a user it never saw. */
  basis: z.enum(['model', 'popularity']),
  items: z.array(z.object({ itemId: z.string(), score: z.number() })),
});

export const outcomeRequestSchema = z.strictObject({
  unitId: servingUnitIdSchema,
  idempotencyKey: z.string().min(1).max(200),
  /** `conversion` (a click, a purchase) by default, or e.g. `revenue` with its value. */
  metric: z.string().min(1).max(100).optional(),
  value: z.number().finite().optional(),
});

export const outcomeResponseSchema = z.object({
  endpoint: z.string(),
  abTestId: z.string().nullable(),
  variant: z.string().nullable(),
});

export type PredictRequest = z.infer<typeof predictRequestSchema>;
export type PredictResponse = z.infer<typeof predictResponseSchema>;
export type RecommendRequestBody = z.infer<typeof recommendRequestSchema>;
export type RecommendResponse = z.infer<typeof recommendResponseSchema>;
export type OutcomeRequest = z.infer<typeof outcomeRequestSchema>;
export type OutcomeResponse = z.infer<typeof outcomeResponseSchema>;
