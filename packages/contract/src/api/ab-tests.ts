/**
 * A/B tests: variants on an endpoint, their events (exposures and outcomes), the plan of a
 * test, the analysis the rollout monitor decides on, and its decisions. The rollout policy and
 * the metric kinds are @lathe/experiments' schemas; the report is its AbReport.
 */
import { z } from 'zod';
import { type AbReport, metricKindSchema, rolloutPolicySchema } from '@lathe/experiments';
import { endpointNameSchema } from './deployments.ts';
import { anyObject, paginationQuery, timestamp } from './common.ts';

export const abTestStatusSchema = z
  .enum(['draft', 'running', 'stopped', 'promoted', 'rolled_back'])
  .describe('where the test is in its life');

export const abVariantSchema = z.object({
  id: z.uuid().describe('the variant id'),
  name: z.string().describe('its name, e.g. `control`'),
  isControl: z.boolean().describe('whether it is the control (production)'),
  modelVersionId: z.uuid().describe('the model version it serves'),
  weight: z.number().describe('its share of the units in the test'),
});

export const abPlanSchema = z
  .object({
    baseline: z.number().describe("the control's mean of the primary metric"),
    minimumDetectableEffect: z
      .object({
        relative: z.number().describe('as a share of the baseline'),
        absolute: z.number().describe('in units of the metric'),
      })
      .describe('the smallest effect the test is powered to detect'),
    power: z.number().describe('the chance to detect that effect'),
    alpha: z.number().describe('the false-positive rate'),
    unitsPerHour: z.number().describe('new units per hour at the endpoint'),
    sequential: z
      .object({
        units: z.number().describe('units per arm'),
        hours: z.number().describe('hours at the declared traffic'),
        days: z.number().describe('days at the declared traffic'),
      })
      .describe('what the always-valid sequential test needs'),
    fixedHorizon: z
      .object({
        units: z.number().describe('units per arm'),
        hours: z.number().describe('hours at the declared traffic'),
        days: z.number().describe('days at the declared traffic'),
      })
      .describe('what a fixed-horizon test would need, for comparison'),
    maxDurationDays: z.number().describe("the policy's longest allowed duration"),
    reachable: z.boolean().describe('whether the test can reach its effect within that duration'),
    message: z.string().describe('the plan in words'),
  })
  .meta({ id: 'AbPlan', description: 'how many units and days a test needs' });

export const abTestSchema = z
  .object({
    id: z.uuid().describe('the A/B test id'),
    name: z.string().describe('its unique name'),
    endpoint: z.string().describe('the endpoint whose traffic it splits'),
    experimentId: z.uuid().nullable().describe('the experiment whose run started it'),
    status: abTestStatusSchema,
    primaryMetric: z.string().describe('the metric it decides on, e.g. `conversion`'),
    policy: anyObject.describe('its rollout policy'),
    currentStep: z.number().int().describe('the index of its current traffic step'),
    coverage: z
      .number()
      .describe(
        "share of all units in the test at the current step (the variants' weights are the split among them)",
      ),
    plan: abPlanSchema
      .nullable()
      .describe(
        "the policy's plan (policy.plan): units and days the test needs, and whether its maximum duration allows it",
      ),
    hashVersion: z.number().int().describe('the version of the assignment hash'),
    decision: z.string().nullable().describe('how it ended: promote, rollback or stop'),
    decisionReasons: z.unknown().describe('why'),
    startedAt: timestamp.nullable().describe('when traffic started'),
    endedAt: timestamp.nullable().describe('when it ended'),
    createdAt: timestamp.describe('when it was created'),
    variants: z.array(abVariantSchema).describe('its arms'),
  })
  .meta({ id: 'AbTest', description: 'an A/B test of model versions on an endpoint' });

const variantInput = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(50)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "_" or "-"')
    .describe('the variant name'),
  isControl: z.boolean().default(false).describe('exactly one variant is the control'),
  modelVersionId: z.uuid().describe('the model version it serves'),
  weight: z.number().gt(0).max(1).describe('its share of the units in the test; the weights sum to 1'),
});

const policy = rolloutPolicySchema
  .default(rolloutPolicySchema.parse({}))
  .describe('how the test runs and decides');

export const createAbTestBody = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"')
      .describe('a unique name'),
    endpoint: endpointNameSchema,
    experimentId: z.uuid().optional().describe('the experiment it belongs to'),
    primaryMetric: z.string().min(1).max(100).default('conversion').describe('the metric it decides on'),
    policy,
    variants: z.array(variantInput).min(2).max(10).describe('its arms, one of them the control'),
  })
  .superRefine((body, ctx) => {
    const controls = body.variants.filter((v) => v.isControl).length;
    if (controls !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['variants'],
        message: `exactly one variant must be the control; ${controls} are`,
      });
    const names = new Set(body.variants.map((v) => v.name));
    if (names.size !== body.variants.length)
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'variant names must be distinct' });
    const total = body.variants.reduce((sum, v) => sum + v.weight, 0);
    if (Math.abs(total - 1) > 1e-6)
      ctx.addIssue({
        code: 'custom',
        path: ['variants'],
        message: `weights must sum to 1; they sum to ${total}`,
      });
  });

export const listAbTestsQuery = paginationQuery.extend({
  name: z.string().max(200).optional().describe('exact name'),
  status: abTestStatusSchema.optional(),
  endpoint: z.string().max(200).optional().describe('only tests on this endpoint'),
  experimentId: z.uuid().optional().describe('only tests of this experiment'),
});

export const planAbTestBody = z.strictObject({
  baseline: z
    .number()
    .positive()
    .describe("the control's mean of the primary metric (a conversion rate in (0, 1) for proportions)"),
  kind: metricKindSchema.default('proportion').describe('proportion (conversions) or mean (revenue)'),
  standardDeviation: z
    .number()
    .positive()
    .optional()
    .describe('per-unit standard deviation (mean metrics only)'),
  unitsPerHour: z
    .number()
    .positive()
    .describe('new units per hour reaching the endpoint (all of its traffic)'),
  power: z.number().gt(0).lt(1).default(0.8).describe('the chance to detect the minimum effect'),
  policy,
});

export const stopAbTestBody = z.strictObject({
  decision: z
    .enum(['promote', 'rollback', 'none'])
    .default('none')
    .describe('promote: the challenger becomes production; rollback; none: just stop'),
  reason: z.string().max(2000).default('').describe('why, kept with the decision'),
});

/** Most units or events one request may carry. */
export const MAX_AB_EVENTS = 1000;
const unitId = z.string().min(1).max(200).describe('the unit (a user, a session) the test assigns');

export const assignUnitsBody = z.strictObject({
  unitIds: z.array(unitId).min(1).max(MAX_AB_EVENTS).describe('the units to assign'),
});

export const assignmentSchema = z.object({
  unitId: z.string().describe('the unit'),
  variant: z
    .string()
    .nullable()
    .describe(
      "null: the unit is outside the test's coverage at this step (production serves it, nothing is recorded)",
    ),
  modelVersionId: z.uuid().nullable().describe('the model version that serves it; null outside coverage'),
});

export const assignmentsSchema = z.object({
  abTestId: z.uuid().describe('the test'),
  step: z.number().int().describe('its current traffic step'),
  coverage: z.number().describe('share of all units in the test at this step'),
  assignments: z.array(assignmentSchema).describe('one per unit asked about'),
});

export const abEventInput = z
  .strictObject({
    type: z.enum(['exposure', 'outcome']).describe('exposure: the unit was served; outcome: it converted'),
    unitId,
    metric: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe("outcomes: what happened; default the test's primary metric (e.g. conversion), or revenue"),
    value: z
      .number()
      .finite()
      .optional()
      .describe('outcomes: 1 for a conversion (default), the amount for revenue'),
    occurredAt: z.iso.datetime({ offset: true }).optional().describe('default: when the request arrives'),
    variant: z
      .string()
      .max(50)
      .optional()
      .describe('the variant the caller served; refused when it is not the one the unit is assigned'),
    covariates: z
      .record(z.string(), z.number().finite())
      .optional()
      .describe(
        "exposures: the unit's own pre-exposure value per metric (CUPED), instead of its outcomes at the endpoint before its first exposure",
      ),
    idempotencyKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'required for outcomes (a retried conversion must not count twice); exposures default to one per unit and traffic step',
      ),
  })
  .superRefine((event, ctx) => {
    if (event.type === 'outcome' && !event.idempotencyKey)
      ctx.addIssue({
        code: 'custom',
        path: ['idempotencyKey'],
        message: 'an outcome needs an idempotency key',
      });
    if (event.type === 'outcome' && event.covariates !== undefined)
      ctx.addIssue({ code: 'custom', path: ['covariates'], message: 'only an exposure carries covariates' });
    if (event.type === 'exposure' && (event.metric !== undefined || event.value !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [event.metric !== undefined ? 'metric' : 'value'],
        message: 'an exposure has no metric or value',
      });
    }
  });

export const recordEventsBody = z.strictObject({
  events: z.array(abEventInput).min(1).max(MAX_AB_EVENTS).describe('exposures and outcomes'),
});
export const recordedEventsSchema = z.object({
  accepted: z.number().int().describe('events recorded'),
  duplicates: z.number().int().describe('events whose idempotency key was already recorded'),
});

export const abReportQuery = z.object({
  unitsPerHour: z.coerce
    .number()
    .positive()
    .optional()
    .describe("traffic for the plan (default: the test's own)"),
});

/** The report, as @lathe/experiments builds it (AbReport): this schema documents it. */
export const abReportSchema = z
  .object({
    abTestId: z.uuid().describe('the test'),
    name: z.string().describe('its name'),
    status: abTestStatusSchema,
    endpoint: z.string().describe('its endpoint'),
    primaryMetric: z.string().describe('the metric it decides on'),
    decisionRule: z.string().describe('the rule the monitor applies, in words'),
    alpha: z.number().describe('the false-positive rate'),
    steps: z.array(z.number()).describe("treatment's share of all traffic per step"),
    currentStep: z.number().int().describe('the current step'),
    coverage: z.number().describe('share of units in the test at the current step'),
    assignment: z
      .object({
        hashVersion: z.number().int().describe('the version of the assignment hash'),
        split: z
          .array(
            z.object({
              variant: z.string().describe('the variant'),
              weight: z.number().describe('its share of the units in the test'),
            }),
          )
          .describe('the split among units in the test'),
        rule: z.string().describe('how assignment works, in words'),
      })
      .describe('how units are assigned (fixed among included units; coverage ramps)'),
    startedAt: timestamp.nullable().describe('when traffic started'),
    endedAt: timestamp.nullable().describe('when it ended'),
    decision: z.string().nullable().describe('how it ended'),
    decisionReasons: z.array(z.string()).describe('why'),
    analysis: anyObject.describe(
      "the analysis of all of the test's data, stratified by traffic step: per treatment the primary metric (sequential, fixed-horizon, CUPED, Bayesian), guardrails, secondary metrics, the sample-ratio check, gateway health per arm and the business readout",
    ),
    plan: abPlanSchema.nullable().describe('the plan at the given traffic'),
    history: z
      .array(
        z.object({
          id: z.string().describe('the decision id'),
          decidedAt: timestamp.describe('when the monitor looked'),
          step: z.number().int().describe('the step it looked at'),
          action: z.string().describe('what it decided'),
          applied: z.boolean().describe('whether the decision was carried out'),
          reasons: z.array(z.string()).describe('why'),
          primary: anyObject.nullable().describe("the primary metric's headline at that look"),
        }),
      )
      .describe('the decisions so far, newest first'),
  })
  .meta({ id: 'AbReport', description: 'the analysis the rollout monitor decides on' });

export const abDecisionSchema = z.object({
  id: z.string().describe('the decision id'),
  decidedAt: timestamp.describe('when the monitor looked'),
  step: z.number().int().describe('the step it looked at'),
  action: z.enum(['hold', 'advance', 'promote', 'rollback', 'stop']).describe('what it decided'),
  applied: z.boolean().describe('whether the decision was carried out'),
  reasons: z.array(z.string()).describe('why'),
  analysis: anyObject.optional().describe('the exact analysis the decision was made on'),
});
export const abDecisionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('decisions at most'),
});
export const abDecisionsSchema = z.object({ items: z.array(abDecisionSchema).describe('newest first') });

export type AbTestStatus = z.infer<typeof abTestStatusSchema>;
export type AbVariant = z.infer<typeof abVariantSchema>;
export type AbTest = z.infer<typeof abTestSchema>;
export type AbDecision = z.infer<typeof abDecisionSchema>;
/** The report's type is @lathe/experiments' own (the API returns what it builds). */
export type { AbReport };
