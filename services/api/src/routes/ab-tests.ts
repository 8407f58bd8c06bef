/**
 * A/B tests: create (draft, with variants), start, stop (with a decision), and the report:
 * per-variant exposures, conversions and rate from SQL aggregates over AbEvent, and a
 * two-proportion z-test of each variant against the control.
 *
 * Live traffic comes in through two routes a serving layer calls, as with GrowthBook's SDK
 * and event tracking: `assignments` (which variant, hence which model version, each unit gets:
 * deterministic hashing, nothing stored) and `events` (exposures and outcomes, each attributed
 * to the variant the unit is assigned at the test's current step, idempotent by key).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, HttpProblem, NotFoundError, type FieldError } from '@lathe/core';
import { analyseAbTest, variantOfUnit } from '@lathe/experiments';
import { abEventKey, abVariantTotals, isUniqueViolation, recordAbEvents, type AbTestStatus, type AbTestWithVariants, type Json, type NewAbEvent } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { anyObject, endpointName, idParams, pageOf, paginationQuery } from '../openapi/common-schemas.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate } from '../pagination.ts';
import { rolloutPolicySchema } from './experiments.ts';

const status = z.enum(['draft', 'running', 'stopped', 'promoted', 'rolled_back']);
const variantSchema = z.object({ id: z.uuid(), name: z.string(), isControl: z.boolean(), modelVersionId: z.uuid(), weight: z.number() });
const abTestSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    endpoint: z.string(),
    experimentId: z.uuid().nullable(),
    status,
    primaryMetric: z.string(),
    policy: anyObject,
    currentStep: z.number().int(),
    decision: z.string().nullable(),
    decisionReasons: z.unknown(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    createdAt: z.string(),
    variants: z.array(variantSchema),
  })
  .meta({ id: 'AbTest' });

const variantInput = z.strictObject({
  name: z.string().min(1).max(50).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "_" or "-"'),
  isControl: z.boolean().default(false),
  modelVersionId: z.uuid(),
  weight: z.number().gt(0).max(1),
});

const createBody = z
  .strictObject({
    name: z.string().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"'),
    endpoint: endpointName,
    experimentId: z.uuid().optional(),
    primaryMetric: z.string().min(1).max(100).default('conversion'),
    policy: rolloutPolicySchema.default(rolloutPolicySchema.parse({})),
    variants: z.array(variantInput).min(2).max(10),
  })
  .superRefine((body, ctx) => {
    const controls = body.variants.filter((v) => v.isControl).length;
    if (controls !== 1) ctx.addIssue({ code: 'custom', path: ['variants'], message: `exactly one variant must be the control; ${controls} are` });
    const names = new Set(body.variants.map((v) => v.name));
    if (names.size !== body.variants.length) ctx.addIssue({ code: 'custom', path: ['variants'], message: 'variant names must be distinct' });
    const total = body.variants.reduce((sum, v) => sum + v.weight, 0);
    if (Math.abs(total - 1) > 1e-6) ctx.addIssue({ code: 'custom', path: ['variants'], message: `weights must sum to 1; they sum to ${total}` });
  });

const unitId = z.string().min(1).max(200);
const MAX_EVENTS = 1000;

const eventInput = z
  .strictObject({
    type: z.enum(['exposure', 'outcome']),
    unitId,
    metric: z.string().min(1).max(100).optional().describe("outcomes: what happened; default the test's primary metric (e.g. conversion), or revenue"),
    value: z.number().finite().optional().describe('outcomes: 1 for a conversion (default), the amount for revenue'),
    occurredAt: z.iso.datetime({ offset: true }).optional().describe('default: when the request arrives'),
    variant: z.string().max(50).optional().describe('the variant the caller served; refused when it is not the one the unit is assigned'),
    idempotencyKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('required for outcomes (a retried conversion must not count twice); exposures default to one per unit and traffic step'),
  })
  .superRefine((event, ctx) => {
    if (event.type === 'outcome' && !event.idempotencyKey) ctx.addIssue({ code: 'custom', path: ['idempotencyKey'], message: 'an outcome needs an idempotency key' });
    if (event.type === 'exposure' && (event.metric !== undefined || event.value !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [event.metric !== undefined ? 'metric' : 'value'], message: 'an exposure has no metric or value' });
    }
  });

const assignmentSchema = z.object({ unitId: z.string(), variant: z.string(), modelVersionId: z.uuid() });

const variantReport = z.object({
  variant: z.string(),
  isControl: z.boolean(),
  exposures: z.number().int(),
  conversions: z.number().int(),
  rate: z.number(),
  revenue: z.number(),
  vsControl: z
    .object({ difference: z.number(), relativeLift: z.number().nullable(), z: z.number().nullable(), pValue: z.number().nullable(), confidenceInterval: z.tuple([z.number(), z.number()]).nullable(), significant: z.boolean() })
    .nullable(),
});

export function registerAbTestRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;
  const find = async (id: string) => {
    const test = await registry.abTest.findUnique({ where: { id }, include: { variants: { orderBy: { name: 'asc' } } } });
    if (!test) throw new NotFoundError('A/B test', id);
    return test;
  };
  /** Moves the test only if it is still in one of `from` (a conditional update: no race). */
  const transition = async (id: string, from: AbTestStatus[], data: Parameters<typeof registry.abTest.updateMany>[0]['data']) => {
    const before = await find(id);
    const { count } = await registry.abTest.updateMany({ where: { id, status: { in: from } }, data });
    if (count !== 1) {
      const now = await find(id);
      throw new ConflictError('illegal_ab_transition', `A/B test ${before.name} is ${now.status}; this needs it to be ${from.join(' or ')}`, { status: now.status });
    }
    return { before, after: await find(id) };
  };

  routes.add({
    method: 'post',
    path: '/ab-tests',
    summary: 'Create an A/B test (draft) with its variants',
    tag: 'ab-tests',
    body: createBody,
    status: 201,
    response: abTestSchema,
    handler: async ({ req, body }) => {
      const ids = body.variants.map((v) => v.modelVersionId);
      const found = await registry.modelVersion.findMany({ where: { id: { in: ids } }, select: { id: true } });
      const missing = ids.find((id) => !found.some((f) => f.id === id));
      if (missing) throw new NotFoundError('model version', missing);
      if (body.experimentId && !(await registry.experiment.findUnique({ where: { id: body.experimentId }, select: { id: true } }))) {
        throw new NotFoundError('experiment', body.experimentId);
      }
      try {
        const test = await registry.abTest.create({
          data: {
            name: body.name,
            endpoint: body.endpoint,
            experimentId: body.experimentId ?? null,
            primaryMetric: body.primaryMetric,
            policy: body.policy as Json,
            salt: randomBytes(8).toString('hex'),
            variants: { create: body.variants },
          },
        });
        const created = await find(test.id);
        await audit(registry, req, { action: 'ab_test.create', entity: 'ab_test', entityId: test.id, after: created });
        return created;
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('ab_test_name_taken', `an A/B test named ${JSON.stringify(body.name)} already exists`, { field: 'body.name' });
        throw error;
      }
    },
  });

  routes.add({
    method: 'get',
    path: '/ab-tests',
    summary: 'List A/B tests',
    tag: 'ab-tests',
    query: paginationQuery.extend({ name: z.string().max(200).optional().describe('exact name'), status: status.optional(), endpoint: z.string().max(200).optional(), experimentId: z.uuid().optional() }),
    response: pageOf(abTestSchema),
    handler: async ({ query }) =>
      paginate(query, (page) =>
        registry.abTest.findMany({
          where: {
            ...(query.name ? { name: query.name } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.endpoint ? { endpoint: query.endpoint } : {}),
            ...(query.experimentId ? { experimentId: query.experimentId } : {}),
          },
          include: { variants: { orderBy: { name: 'asc' } } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          ...page,
        }),
      ),
  });

  routes.add({
    method: 'get',
    path: '/ab-tests/:id',
    summary: 'Get an A/B test with its variants',
    tag: 'ab-tests',
    params: idParams,
    response: abTestSchema,
    handler: async ({ params }) => find(params.id),
  });

  routes.add({
    method: 'post',
    path: '/ab-tests/:id/start',
    summary: 'Start a draft A/B test (one running test per endpoint)',
    tag: 'ab-tests',
    params: idParams,
    response: abTestSchema,
    handler: async ({ req, params }) => {
      const test = await find(params.id);
      const running = await registry.abTest.findFirst({ where: { endpoint: test.endpoint, status: 'running', id: { not: test.id } }, select: { name: true } });
      if (running) throw new ConflictError('endpoint_busy', `A/B test ${running.name} is already running on endpoint ${test.endpoint}; stop it first`);
      const { before, after } = await transition(params.id, ['draft'], { status: 'running', startedAt: new Date() });
      await audit(registry, req, { action: 'ab_test.start', entity: 'ab_test', entityId: params.id, before, after });
      return after;
    },
  });

  routes.add({
    method: 'post',
    path: '/ab-tests/:id/stop',
    summary: 'Stop a running A/B test with a decision: promote the challenger, roll back, or just stop',
    tag: 'ab-tests',
    params: idParams,
    body: z.strictObject({ decision: z.enum(['promote', 'rollback', 'none']).default('none'), reason: z.string().max(2000).default('') }),
    response: abTestSchema,
    handler: async ({ req, params, body }) => {
      const statusAfter: AbTestStatus = body.decision === 'promote' ? 'promoted' : body.decision === 'rollback' ? 'rolled_back' : 'stopped';
      const { before, after } = await transition(params.id, ['running', 'draft'], {
        status: statusAfter,
        endedAt: new Date(),
        decision: body.decision,
        decisionReasons: body.reason ? [body.reason] : [],
      });
      await audit(registry, req, { action: 'ab_test.stop', entity: 'ab_test', entityId: params.id, before, after });
      return after;
    },
  });

  const running = async (id: string): Promise<AbTestWithVariants> => {
    const test = await find(id);
    if (test.status !== 'running') throw new ConflictError('ab_test_not_running', `A/B test ${test.name} is ${test.status}; only a running test assigns units and takes events`, { status: test.status });
    return test;
  };
  const assign = (test: AbTestWithVariants, unit: string) => {
    const variant = variantOfUnit(test, unit);
    // Weights are validated to sum to 1 (and the monitor keeps them so): never reached.
    if (!variant) throw new ConflictError('ab_test_no_traffic', `A/B test ${test.name} gives no traffic to any variant`);
    return variant;
  };

  routes.add({
    method: 'post',
    path: '/ab-tests/:id/assignments',
    summary: "The variant (and model version) of each unit in a running test: deterministic hashing of the test's salt and the unit id, as GrowthBook assigns",
    tag: 'ab-tests',
    role: 'viewer',
    params: idParams,
    body: z.strictObject({ unitIds: z.array(unitId).min(1).max(MAX_EVENTS) }),
    response: z.object({ abTestId: z.uuid(), step: z.number().int(), assignments: z.array(assignmentSchema) }),
    handler: async ({ params, body }) => {
      const test = await running(params.id);
      return {
        abTestId: test.id,
        step: test.currentStep,
        assignments: body.unitIds.map((unit) => {
          const variant = assign(test, unit);
          return { unitId: unit, variant: variant.name, modelVersionId: variant.modelVersionId };
        }),
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/ab-tests/:id/events',
    summary: `Record exposures and outcomes of a running test (at most ${MAX_EVENTS} per request), each for the variant its unit is assigned; a repeated idempotency key adds nothing`,
    tag: 'ab-tests',
    params: idParams,
    body: z.strictObject({ events: z.array(eventInput).min(1).max(MAX_EVENTS) }),
    status: 202,
    response: z.object({ accepted: z.number().int().describe('events recorded'), duplicates: z.number().int().describe('events whose idempotency key was already recorded') }),
    handler: async ({ params, body }) => {
      const test = await running(params.id);
      const now = new Date();
      const mismatches: FieldError[] = [];
      const events: NewAbEvent[] = body.events.map((event, i) => {
        const variant = assign(test, event.unitId);
        if (event.variant !== undefined && event.variant !== variant.name) {
          mismatches.push({ field: `body.events.${i}.variant`, message: `unit ${event.unitId} is assigned ${JSON.stringify(variant.name)} at step ${test.currentStep}, not ${JSON.stringify(event.variant)}` });
        }
        return {
          variantId: variant.id,
          type: event.type,
          unitId: event.unitId,
          ...(event.type === 'outcome' ? { metric: event.metric ?? test.primaryMetric, value: event.value ?? 1 } : {}),
          idempotencyKey: abEventKey(test.id, event, test.currentStep),
          occurredAt: event.occurredAt ? new Date(event.occurredAt) : now,
        };
      });
      // All or nothing: a batch from a misrouting caller records none of its events.
      if (mismatches.length > 0) throw new HttpProblem(422, 'variant_mismatch', `${mismatches.length} event(s) name a variant their unit is not assigned`, mismatches);
      const accepted = await recordAbEvents(registry, test.id, events);
      return { accepted, duplicates: events.length - accepted };
    },
  });

  routes.add({
    method: 'get',
    path: '/ab-tests/:id/report',
    summary: 'Per-variant exposures, conversions, rate and revenue, each variant against the control (two-proportion z-test), and the sample-ratio-mismatch check',
    tag: 'ab-tests',
    params: idParams,
    response: z.object({
      abTestId: z.uuid(),
      name: z.string(),
      status,
      primaryMetric: z.string(),
      alpha: z.number(),
      sampleRatioMismatch: z.object({ statistic: z.number(), pValue: z.number(), detected: z.boolean() }),
      variants: z.array(variantReport),
    }),
    handler: async ({ params }) => {
      const test = await find(params.id);
      // Units, not events: a unit exposed twice counts once; a converted unit counts once.
      const totals = new Map((await abVariantTotals(registry, test.id, new Date(0), test.primaryMetric)).map((t) => [t.variantId, t]));
      const policy = rolloutPolicySchema.safeParse(test.policy);
      const alpha = policy.success ? policy.data.alpha : 0.05;
      const analysis = analyseAbTest(
        test.variants.map((v) => ({
          name: v.name,
          isControl: v.isControl,
          weight: v.weight,
          exposures: totals.get(v.id)?.exposures ?? 0,
          conversions: totals.get(v.id)?.conversions ?? 0,
          revenueSum: totals.get(v.id)?.revenueSum ?? 0,
          revenueSumSquares: totals.get(v.id)?.revenueSumSquares ?? 0,
        })),
        { alpha },
      );
      const comparisons = new Map(analysis.comparisons.map((c) => [c.variant, c.conversion]));
      return {
        abTestId: test.id,
        name: test.name,
        status: test.status,
        primaryMetric: test.primaryMetric,
        alpha,
        sampleRatioMismatch: analysis.sampleRatioMismatch,
        variants: analysis.variants.map((v) => {
          const vs = comparisons.get(v.name) ?? null;
          return {
            variant: v.name,
            isControl: v.isControl,
            exposures: v.exposures,
            conversions: v.conversions,
            rate: v.conversionRate ?? 0,
            revenue: v.revenueSum,
            vsControl: vs
              ? { difference: vs.difference, relativeLift: vs.relativeUplift, z: vs.statistic, pValue: vs.pValue, confidenceInterval: vs.confidenceInterval, significant: vs.significant }
              : null,
          };
        }),
      };
    },
  });

}
