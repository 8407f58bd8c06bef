/**
 * A/B tests: create (draft, with variants), start, stop (with a decision), plan, and the report:
 * the same analysis the rollout monitor decides on (@lathe/experiments analyseAbTest over the
 * registry's kept sufficient statistics), with the plan and the history of the monitor's looks.
 *
 * Live traffic comes in through two routes a serving layer calls, as with GrowthBook's SDK
 * and event tracking: `assignments` (which variant, hence which model version, each unit gets:
 * deterministic hashing, nothing stored; null outside the test's coverage) and `events`
 * (exposures and outcomes, each attributed to the variant the unit is assigned and tagged with
 * the test's current step, idempotent by key).
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, HttpProblem, NotFoundError, type FieldError } from '@lathe/core';
import {
  analyseStoredTest,
  abTestDesign,
  planAbTest,
  observedPlan,
  plannedTest,
  primarySummary,
  rolloutPolicySchema,
  variantOfUnit,
  type MetricComparison,
  type AbPlan,
  type AbReport,
  type RolloutPolicy,
} from '@lathe/experiments';
import {
  abEventKey,
  abTestStatistics,
  createAbTest,
  getAbTest,
  isUniqueViolation,
  listAbDecisionSummaries,
  listAbDecisions,
  recordAbEvents,
  startAbTest,
  stopAbTest,
  type AbTestWithVariants,
  type Json,
  type NewAbEvent,
} from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import {
  abDecisionsQuery,
  abDecisionsSchema,
  abPlanSchema,
  abReportQuery,
  abReportSchema,
  abTestSchema,
  assignmentsSchema,
  assignUnitsBody,
  createAbTestBody,
  idParams,
  listAbTestsQuery,
  MAX_AB_EVENTS,
  pageOf,
  planAbTestBody,
  recordedEventsSchema,
  recordEventsBody,
  stopAbTestBody,
} from '@lathe/contract';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate } from '../pagination.ts';

const ASSIGNMENT_RULE =
  "each unit's arm is fixed for the test's life: the variants' weights are the split among units in the test, and a traffic step only widens coverage (the share of all units in the test), so no unit changes arm; events carry the step their unit was assigned under and each step is analysed as its own stratum";

const HISTORY = 500;

/** An A/B test as the API shows it: with the plan its policy declares (null without one). */
function withPlan<T extends { policy: unknown }>(test: T): T & { plan: AbPlan | null } {
  const policy = rolloutPolicySchema.safeParse(test.policy);
  return { ...test, plan: policy.success ? plannedTest(policy.data) : null };
}

export function registerAbTestRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;
  const find = (id: string) => getAbTest(registry, id);

  routes.add({
    method: 'post',
    path: '/ab-tests',
    summary: "Create an A/B test (draft) with its variants; the weights are the split among the test's units",
    tag: 'ab-tests',
    body: createAbTestBody,
    status: 201,
    response: abTestSchema,
    handler: async ({ req, body }) => {
      const ids = body.variants.map((v) => v.modelVersionId);
      const found = await registry.modelVersion.findMany({
        where: { id: { in: ids } },
        select: { id: true },
      });
      const missing = ids.find((id) => !found.some((f) => f.id === id));
      if (missing) throw new NotFoundError('model version', missing);
      if (
        body.experimentId &&
        !(await registry.experiment.findUnique({ where: { id: body.experimentId }, select: { id: true } }))
      ) {
        throw new NotFoundError('experiment', body.experimentId);
      }
      const policy: RolloutPolicy = { ...body.policy, metric: body.primaryMetric };
      const design = abTestDesign(policy);
      try {
        const created = await createAbTest(registry, {
          name: body.name,
          endpoint: body.endpoint,
          experimentId: body.experimentId ?? null,
          primaryMetric: body.primaryMetric,
          // Why the cast: The parsed policy is plain JSON, but its interface has no index signature for Prisma's InputJsonValue.
          policy: policy as unknown as Json,
          salt: randomBytes(8).toString('hex'),
          variants: body.variants,
          coverage: design.coverage,
          metrics: design.metrics,
          covariateLookbackMs: design.covariateLookbackMs,
        });
        await audit(registry, req, {
          action: 'ab_test.create',
          entity: 'ab_test',
          entityId: created.id,
          after: created,
        });
        return withPlan(created);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(
            'ab_test_name_taken',
            `an A/B test named ${JSON.stringify(body.name)} already exists`,
            { field: 'body.name' },
          );
        throw error;
      }
    },
  });

  routes.add({
    method: 'get',
    path: '/ab-tests',
    summary: 'List A/B tests',
    tag: 'ab-tests',
    query: listAbTestsQuery,
    response: pageOf(abTestSchema),
    handler: async ({ query }) => {
      const page = await paginate(query, (args) =>
        registry.abTest.findMany({
          where: {
            ...(query.name ? { name: query.name } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.endpoint ? { endpoint: query.endpoint } : {}),
            ...(query.experimentId ? { experimentId: query.experimentId } : {}),
          },
          include: { variants: { orderBy: { name: 'asc' } } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          ...args,
        }),
      );
      // Every A/B test the API shows carries its policy's plan, listed or not.
      return { ...page, items: page.items.map(withPlan) };
    },
  });

  routes.add({
    method: 'get',
    path: '/ab-tests/:id',
    summary: 'Get an A/B test with its variants',
    tag: 'ab-tests',
    params: idParams,
    response: abTestSchema,
    handler: async ({ params }) => withPlan(await find(params.id)),
  });

  routes.add({
    method: 'post',
    path: '/ab-tests/plan',
    summary:
      "Plan a test: units and days the sequential and fixed-horizon designs need for the power asked, and whether the policy's maximum duration allows it",
    tag: 'ab-tests',
    role: 'viewer',
    body: planAbTestBody,
    response: abPlanSchema,
    handler: async ({ body }) => {
      try {
        return planAbTest(body.policy, {
          baseline: body.baseline,
          kind: body.kind,
          unitsPerHour: body.unitsPerHour,
          power: body.power,
          ...(body.standardDeviation !== undefined ? { standardDeviation: body.standardDeviation } : {}),
        });
      } catch (error) {
        if (error instanceof RangeError) {
          const [field, ...rest] = error.message.split(': ');
          throw new HttpProblem(422, 'validation_failed', error.message, [
            { field: `body.${field}`, message: rest.join(': ') || error.message },
          ]);
        }
        throw error;
      }
    },
  });

  routes.add({
    method: 'post',
    path: '/ab-tests/:id/start',
    summary: 'Start a draft A/B test (one running test per endpoint)',
    tag: 'ab-tests',
    params: idParams,
    response: abTestSchema,
    handler: async ({ req, params }) => {
      const { before, after } = await startAbTest(registry, params.id, new Date());
      await audit(registry, req, {
        action: 'ab_test.start',
        entity: 'ab_test',
        entityId: params.id,
        before,
        after,
      });
      return withPlan(after);
    },
  });

  routes.add({
    method: 'post',
    path: '/ab-tests/:id/stop',
    summary:
      'Stop a running A/B test with a decision: promote the challenger (it becomes production), roll back, or just stop',
    tag: 'ab-tests',
    params: idParams,
    body: stopAbTestBody,
    response: abTestSchema,
    handler: async ({ req, params, body }) => {
      const { before, after } = await stopAbTest(registry, {
        abTestId: params.id,
        outcome: body.decision === 'none' ? 'stop' : body.decision,
        reason: body.reason,
        now: new Date(),
        actor: `api-key:${req.apiKey?.id ?? 'unknown'}`,
      });
      await audit(registry, req, {
        action: 'ab_test.stop',
        entity: 'ab_test',
        entityId: params.id,
        before,
        after,
      });
      return withPlan(after);
    },
  });

  const running = async (id: string): Promise<AbTestWithVariants> => {
    const test = await find(id);
    if (test.status !== 'running')
      throw new ConflictError(
        'ab_test_not_running',
        `A/B test ${test.name} is ${test.status}; only a running test assigns units and takes events`,
        { status: test.status },
      );
    return test;
  };

  routes.add({
    method: 'post',
    path: '/ab-tests/:id/assignments',
    summary:
      "The variant (and model version) of each unit in a running test: deterministic hashing of the test's salt and the unit id, as GrowthBook assigns; null outside the test's coverage",
    tag: 'ab-tests',
    role: 'viewer',
    params: idParams,
    body: assignUnitsBody,
    response: assignmentsSchema,
    handler: async ({ params, body }) => {
      const test = await running(params.id);
      return {
        abTestId: test.id,
        step: test.currentStep,
        coverage: test.coverage,
        assignments: body.unitIds.map((unit) => {
          const variant = variantOfUnit(test, unit);
          return {
            unitId: unit,
            variant: variant?.name ?? null,
            modelVersionId: variant?.modelVersionId ?? null,
          };
        }),
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/ab-tests/:id/events',
    summary: `Record exposures and outcomes of a running test (at most ${MAX_AB_EVENTS} per request), each for the variant its unit is assigned at the current step; a repeated idempotency key adds nothing`,
    tag: 'ab-tests',
    params: idParams,
    body: recordEventsBody,
    status: 202,
    response: recordedEventsSchema,
    handler: async ({ params, body }) => {
      const test = await running(params.id);
      const now = new Date();
      const refused: FieldError[] = [];
      const events: NewAbEvent[] = [];
      body.events.forEach((event, i) => {
        const variant = variantOfUnit(test, event.unitId);
        if (!variant) {
          refused.push({
            field: `body.events.${i}.unitId`,
            message: `unit ${event.unitId} is outside the test's coverage (${test.coverage}) at step ${test.currentStep}: it is not in the test`,
          });
          return;
        }
        if (event.variant !== undefined && event.variant !== variant.name) {
          refused.push({
            field: `body.events.${i}.variant`,
            message: `unit ${event.unitId} is assigned ${JSON.stringify(variant.name)} at step ${test.currentStep}, not ${JSON.stringify(event.variant)}`,
          });
        }
        events.push({
          variantId: variant.id,
          type: event.type,
          unitId: event.unitId,
          ...(event.type === 'outcome'
            ? { metric: event.metric ?? test.primaryMetric, value: event.value ?? 1 }
            : {}),
          ...(event.covariates ? { covariates: event.covariates } : {}),
          idempotencyKey: abEventKey(test.id, event, test.currentStep),
          occurredAt: event.occurredAt ? new Date(event.occurredAt) : now,
          step: test.currentStep,
        });
      });
      // All or nothing: a batch from a misrouting caller records none of its events.
      if (refused.length > 0)
        throw new HttpProblem(
          422,
          'variant_mismatch',
          `${refused.length} event(s) name a unit or variant that is not assigned so`,
          refused,
        );
      const accepted = await recordAbEvents(registry, test.id, events);
      return { accepted, duplicates: events.length - accepted };
    },
  });

  routes.add({
    method: 'get',
    path: '/ab-tests/:id/report',
    summary:
      "The analysis the rollout monitor decides on (all of the test's data, stratified by traffic step): sequential and fixed-horizon tests, CUPED, Bayesian view, guardrails, sample-ratio check, business readout, the plan and the history of decisions",
    tag: 'ab-tests',
    params: idParams,
    query: abReportQuery,
    response: abReportSchema,
    handler: async ({ params, query }): Promise<AbReport> => {
      const test = await find(params.id);
      const parsed = rolloutPolicySchema.safeParse(test.policy);
      if (!parsed.success)
        throw new ConflictError(
          'invalid_policy',
          `A/B test ${test.name} has a policy this version cannot read: ${parsed.error.issues[0]?.message ?? ''}`,
        );
      const policy = parsed.data;
      // The analysis the monitor would make now, on all of the test's data (the same function).
      const analysis = analyseStoredTest(test, await abTestStatistics(registry, test.id), policy, new Date());
      const decisions = await listAbDecisionSummaries(registry, test.id, { take: HISTORY });
      const primary = analysis.treatments[0]?.primary;
      const unitsPerHour = query.unitsPerHour ?? analysis.readout.unitsPerHour;
      // The plan the policy declares; without one, a plan from what the test has seen so far.
      const plan =
        plannedTest(policy) ?? (primary && unitsPerHour ? observedPlan(policy, primary, unitsPerHour) : null);
      return {
        abTestId: test.id,
        name: test.name,
        status: test.status,
        endpoint: test.endpoint,
        primaryMetric: test.primaryMetric,
        decisionRule: policy.decisionRule,
        alpha: policy.alpha,
        steps: policy.steps,
        currentStep: test.currentStep,
        coverage: test.coverage,
        assignment: {
          hashVersion: test.hashVersion,
          split: test.variants.map((v) => ({ variant: v.name, weight: v.weight })),
          rule: ASSIGNMENT_RULE,
        },
        startedAt: test.startedAt?.toISOString() ?? null,
        endedAt: test.endedAt?.toISOString() ?? null,
        decision: test.decision,
        decisionReasons: Array.isArray(test.decisionReasons) ? (test.decisionReasons as string[]) : [],
        analysis,
        plan,
        history: decisions.reverse().map((d) => ({
          id: d.id.toString(),
          decidedAt: d.decidedAt.toISOString(),
          step: d.step,
          action: d.action,
          applied: d.applied,
          reasons: d.reasons as string[],
          primary: primarySummary(d.primary as Partial<MetricComparison> | null),
        })),
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/ab-tests/:id/decisions',
    summary:
      'Every look of the rollout monitor at the test, newest first, each with the exact analysis it was made on',
    tag: 'ab-tests',
    params: idParams,
    query: abDecisionsQuery,
    response: abDecisionsSchema,
    handler: async ({ params, query }) => {
      await find(params.id);
      const decisions = await listAbDecisions(registry, params.id, { take: query.limit });
      return {
        items: decisions.map((d) => ({
          ...d,
          id: d.id.toString(),
          decidedAt: d.decidedAt.toISOString(),
          reasons: d.reasons as string[],
          analysis: d.analysis as Record<string, unknown>,
        })),
      };
    },
  });
}
