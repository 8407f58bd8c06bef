/**
 * A/B tests: create (draft, with variants), start, stop (with a decision), and the report:
 * per-variant exposures, conversions and rate from SQL aggregates over AbEvent, and a
 * two-proportion z-test of each variant against the control.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '@lathe/core';
import { analyseAbTest } from '@lathe/experiments';
import { abVariantTotals, isUniqueViolation, type AbTestStatus, type Json } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { anyObject, idParams, pageOf, paginationQuery } from '../openapi/common-schemas.ts';
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
    endpoint: z.string().min(1).max(200).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"'),
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
