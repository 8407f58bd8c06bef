/**
 * The rollout policy of an A/B test: its traffic steps, how the decision is made (always-valid
 * sequential tests by default), its guardrails and its time limits. Validated once where a
 * policy enters (the API, the deploy stage) and stored with the test.
 *
 * Traffic steps are the treatment's share of all of the endpoint's traffic. The split among the
 * units *in* the test is fixed for its whole life (the last step's share), and what ramps is the
 * share of units included in the test (coverage = step / last step), as GrowthBook's coverage
 * does: a unit that is in the test never changes arm when a step advances, so its outcomes are
 * never split across two models, and the expected split of every traffic step is the same.
 */
import { z } from 'zod';

const metricName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and "_", starting with a letter');

export const metricKindSchema = z
  .enum(['proportion', 'mean'])
  .describe('proportion: share of units with at least one outcome; mean: sum of the outcome values per unit');
export type MetricKind = z.infer<typeof metricKindSchema>;

const relativeMargin = z.number().gt(0).lt(1);

export const rolloutPolicySchema = z
  .object({
    /** Treatment's share of all traffic at each step, increasing, each in (0, 1); the last is the split among the test's units. */
    steps: z
      .array(z.number().gt(0).lt(1))
      .min(1)
      .default([0.1, 0.5])
      .describe("treatment's share of all traffic at each step, increasing"),
    /** Units each arm needs before any decision: the sequential tests are asymptotic. */
    minExposuresPerArm: z
      .number()
      .int()
      .min(1)
      .default(500)
      .describe('units each arm needs before any decision'),
    /** Time to stay at a step before advancing (novelty effects, day-of-week). */
    minStepDurationMs: z
      .number()
      .int()
      .min(0)
      .default(60 * 60 * 1000)
      .describe('time to stay at a step before advancing, ms'),
    /** After this long without a verdict, stop and keep the control. */
    maxDurationMs: z
      .number()
      .int()
      .min(0)
      .default(14 * 24 * 60 * 60 * 1000)
      .describe('after this long without a verdict, stop and keep the control, ms'),
    /** The primary metric. */
    metric: metricName.default('conversion').describe('the primary metric'),
    alpha: z.number().gt(0).lt(0.5).default(0.05).describe("the primary metric's false-positive rate"),
    /**
     * How the primary metric decides: `sequential` (always-valid mSPRT: looking at every interval
     * is safe), `fixed` (one look, once `fixedHorizonUnits` units are in: the classical Wald
     * test), `bayesian` (probability to beat the control and expected loss; not protected against
     * peeking: with 5-minute looks and the default thresholds it promoted 36% of simulated A/A tests).
     */
    decisionRule: z
      .enum(['sequential', 'fixed', 'bayesian'])
      .default('sequential')
      .describe(
        'sequential: always-valid mSPRT; fixed: one look at fixedHorizonUnits; bayesian: not protected against peeking',
      ),
    /** The relative change of the primary metric the test is planned to detect; sets the mSPRT mixture and the plan. */
    minimumDetectableEffect: z
      .number()
      .gt(0)
      .lt(10)
      .default(0.1)
      .describe('the relative change of the primary metric the test is planned to detect'),
    /** `fixed` rule: the total number of units at which the single look is taken. */
    fixedHorizonUnits: z
      .number()
      .int()
      .min(2)
      .optional()
      .describe('`fixed` rule: the total number of units at which the single look is taken'),
    bayesian: z
      .object({
        /** Promote when P(treatment > control) reaches this and choosing it loses at most `maxExpectedLoss`. */
        probabilityToPromote: z
          .number()
          .gt(0.5)
          .lt(1)
          .default(0.95)
          .describe('promote when P(treatment > control) reaches this'),
        /** Expected loss of a choice, relative to the control's mean. */
        maxExpectedLoss: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.001)
          .describe("and choosing it loses at most this, relative to the control's mean"),
      })
      .prefault({})
      .describe('the `bayesian` rule'),
    guardrails: z
      .object({
        /** One-sided level of every guardrail's non-inferiority test (guardrails sit outside the secondary metrics' correction). */
        alpha: z
          .number()
          .gt(0)
          .lt(0.5)
          .default(0.05)
          .describe("level of every guardrail's non-inferiority test"),
        /** The other business metric (revenue when the primary is conversion, and the reverse), with its relative non-inferiority margin. */
        businessMetric: z
          .union([
            z.literal(false),
            z.object({ margin: relativeMargin.default(0.05).describe('relative non-inferiority margin') }),
          ])
          .default({ margin: 0.05 })
          .describe('the other business metric (revenue for conversion, and the reverse); false: off'),
        /** The gateway's server errors per request, absolute margin. */
        errorRate: z
          .union([
            z.literal(false),
            z.object({
              margin: z.number().gt(0).lt(1).default(0.01).describe('absolute non-inferiority margin'),
            }),
          ])
          .default({ margin: 0.01 })
          .describe("the gateway's server errors per request; false: off"),
        /** Share of requests slower than `thresholdMs` (the p99 guardrail as a testable proportion), absolute margin. */
        slowRequests: z
          .union([
            z.literal(false),
            z.object({
              thresholdMs: z.number().int().min(1).default(1000).describe('what counts as slow, ms'),
              margin: z.number().gt(0).lt(1).default(0.02).describe('absolute non-inferiority margin'),
            }),
          ])
          .default({ thresholdMs: 1000, margin: 0.02 })
          .describe('share of requests slower than thresholdMs; false: off'),
      })
      .prefault({})
      .describe('non-inferiority tests that roll a test back'),
    /** Further metrics to report, corrected for multiple comparisons; they never decide. */
    secondaryMetrics: z
      .array(
        z.object({
          name: metricName.describe('the metric'),
          kind: metricKindSchema.default('proportion'),
        }),
      )
      .max(20)
      .default([])
      .describe('further metrics to report, corrected for multiple comparisons; they never decide'),
    multipleTesting: z
      .enum(['holm', 'benjamini-hochberg'])
      .default('holm')
      .describe("the secondary metrics' correction"),
    /** CUPED: each unit's outcomes of the metric in this window before its first exposure are its covariate. */
    cuped: z
      .object({
        enabled: z.boolean().default(true).describe('whether CUPED adjusts the estimates'),
        lookbackDays: z
          .number()
          .min(0)
          .max(365)
          .default(14)
          .describe("the window before a unit's first exposure whose outcomes are its covariate"),
      })
      .prefault({})
      .describe('variance reduction with pre-exposure outcomes (CUPED)'),
    /** Level of the sequential sample-ratio-mismatch test. */
    srmAlpha: z
      .number()
      .gt(0)
      .lt(0.5)
      .default(0.001)
      .describe('level of the sequential sample-ratio-mismatch test'),
    /** What the test is planned on: the control's expected mean and the endpoint's traffic. With it, a test shows its plan before it starts. */
    plan: z
      .object({
        baseline: z
          .number()
          .positive()
          .describe("the control's expected mean of the primary metric (a rate for proportions)"),
        unitsPerHour: z.number().positive().describe('new units per hour reaching the endpoint'),
        standardDeviation: z
          .number()
          .positive()
          .optional()
          .describe('per-unit standard deviation (mean metrics)'),
        power: z.number().gt(0).lt(1).default(0.8).describe('the chance to detect the minimum effect'),
      })
      .optional()
      .describe("what the test is planned on: the control's expected mean and the endpoint's traffic"),
  })
  .superRefine((p, ctx) => {
    if (!p.steps.every((s, i) => i === 0 || s > p.steps[i - 1]!))
      ctx.addIssue({ code: 'custom', message: 'steps must increase', path: ['steps'] });
    if (p.plan && metricKind(p, p.metric) === 'proportion' && !(p.plan.baseline < 1)) {
      ctx.addIssue({
        code: 'custom',
        message: `a conversion rate is in (0, 1); got ${p.plan.baseline}`,
        path: ['plan', 'baseline'],
      });
    }
    if (p.plan && metricKind(p, p.metric) === 'mean' && p.plan.standardDeviation === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'a mean metric is planned with its per-unit standard deviation',
        path: ['plan', 'standardDeviation'],
      });
    }
    if (p.decisionRule === 'fixed' && p.fixedHorizonUnits === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'the fixed rule needs fixedHorizonUnits (the planned total units of its single look)',
        path: ['fixedHorizonUnits'],
      });
    }
  });

export type RolloutPolicy = z.infer<typeof rolloutPolicySchema>;

/** The split among the test's units: the treatment's share at the last step. */
export function treatmentSplit(policy: Pick<RolloutPolicy, 'steps'>): number {
  return policy.steps[policy.steps.length - 1]!;
}

/** The share of all units included in the test at `step` (GrowthBook's coverage). */
export function coverageAtStep(policy: Pick<RolloutPolicy, 'steps'>, step: number): number {
  const last = policy.steps.length - 1;
  return Math.min(1, policy.steps[Math.min(Math.max(step, 0), last)]! / treatmentSplit(policy));
}

/** conversion and the declared proportions count units with an outcome; revenue and declared means sum values per unit. */
export function metricKind(policy: Pick<RolloutPolicy, 'secondaryMetrics'>, metric: string): MetricKind {
  if (metric === 'revenue') return 'mean';
  if (metric === 'conversion') return 'proportion';
  return policy.secondaryMetrics.find((m) => m.name === metric)?.kind ?? 'proportion';
}

/** The business guardrail's metric: the other one of conversion and revenue. */
export function businessGuardrailMetric(policy: Pick<RolloutPolicy, 'metric' | 'guardrails'>): string | null {
  if (policy.guardrails.businessMetric === false) return null;
  if (policy.metric === 'revenue') return 'conversion';
  if (policy.metric === 'conversion') return 'revenue';
  return 'revenue';
}

/** Every metric whose sufficient statistics the registry keeps for a test with this policy. */
export function trackedMetrics(policy: RolloutPolicy): Array<{ name: string; kind: MetricKind }> {
  const names = [
    policy.metric,
    businessGuardrailMetric(policy),
    ...policy.secondaryMetrics.map((m) => m.name),
  ].filter((m): m is string => m !== null);
  return [...new Set(names)].map((name) => ({ name, kind: metricKind(policy, name) }));
}

/** What a new test under this policy starts with: the first step's traffic and coverage, the fixed split, the metrics kept, CUPED's window. */
export function abTestDesign(policy: RolloutPolicy): {
  treatmentTraffic: number;
  treatmentSplit: number;
  coverage: number;
  metrics: Array<{ name: string; kind: MetricKind }>;
  covariateLookbackMs: number;
} {
  return {
    treatmentTraffic: policy.steps[0]!,
    treatmentSplit: treatmentSplit(policy),
    coverage: coverageAtStep(policy, 0),
    metrics: trackedMetrics(policy),
    covariateLookbackMs: policy.cuped.enabled ? Math.round(policy.cuped.lookbackDays * 86_400_000) : 0,
  };
}
