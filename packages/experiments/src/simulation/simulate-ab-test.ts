/**
 * A seeded simulator of A/B tests as the rollout monitor sees them: traffic arrives, the covered
 * share of it enters the test in its fixed arm, outcomes land in the per (variant, step, metric)
 * sufficient statistics the registry keeps, and every look interval the real `analyseAbTest` +
 * `decideRollout` decide, applied as services/deploy/src/rollout-monitor.ts and the registry's
 * applyAbDecision do: `hold` changes nothing, `advance` moves to the next step (stepStartedAt = now,
 * the new step's coverage), `promote` / `rollback` / `stop` end the test. As the monitor's
 * analyseStoredTest (test-data.ts) does, each look carries from the previous look's stored analysis
 * the running minimum of the SRM and primary p-values and the SRM rejection (once rejected, held
 * until the maximum duration). The analysis runs with `detail: 'decision'`, which changes nothing
 * the decision reads.
 *
 * The model, and its simplifications:
 * - Units: `unitsPerHour` new units arrive at the endpoint (all of its traffic), as a Poisson process
 *   (per look interval a Poisson count; or a fixed rate). Every arrival is a distinct unit; a unit
 *   enters the statistics once, in the stratum (step) of its first exposure, in its fixed arm.
 * - Coverage and split: at each step a unit enters the test with probability `coverage(step)`
 *   (coverageAtStep: steps[step] / steps[last]) and goes to the treatment with probability
 *   `treatmentShare(step)` (the fixed split, the last step's share) times `treatmentShareFactor` — an
 *   injected assignment bug (0.96: 48% instead of 50% at every step, the same relative skew whatever
 *   the step's share).
 * - Outcomes are realised at entry: each unit's conversion (Bernoulli) and revenue (a draw per
 *   converter from its distribution) are added to the statistics in the look interval it arrives,
 *   not after a conversion delay. This makes the simulated tests slightly faster to decide than real
 *   ones whose outcomes trickle in; it changes nothing about error rates under the null.
 * - Continuous scenario (CUPED): each unit has a pre-exposure covariate x and an outcome y,
 *   bivariate normal with the given correlation; the batch of units an arm receives in an interval is
 *   added through its exact sufficient statistics (Bartlett's decomposition, random.ts), not unit
 *   by unit.
 * - Requests: none are simulated (`requests: []`), so the gateway guardrails (error rate, slow
 *   requests) are skipped, as the analysis does without request data.
 * - Rows: a step's rows (both arms, every tracked metric) exist from the moment the step starts.
 *
 * Looks: every `lookIntervalMs` (default 5 minutes, LATHE_ROLLOUT_INTERVAL_MS's default in
 * services/deploy/src/main.ts) from the test's start; the look at 14 days (maxDurationMs) is the
 * last. With `screen` (the default) the real analysis is skipped at looks that look-screen.ts
 * certifies `hold` and checks it at every look where it runs (see there); `screen: false` calls the
 * analysis at every look (the simulation tests compare both on the same seeds).
 */
import type { AbAnalysis, AbTestData, MetricCell } from '../analysis.ts';
import { analyseAbTest } from '../analysis.ts';
import {
  decideRollout,
  type RolloutAction,
  type RolloutDecision,
  type RolloutState,
} from '../rollout-decision.ts';
import { coverageAtStep, trackedMetrics, treatmentSplit, type RolloutPolicy } from '../rollout-policy.ts';
import { LookScreen } from './look-screen.ts';
import { deriveSeed, Random } from './random.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The rollout monitor's default look interval (LATHE_ROLLOUT_INTERVAL_MS). */
export const MONITOR_INTERVAL_MS = 300_000;

export type RevenueDistribution =
  | { kind: 'lognormal'; mean: number; cv: number }
  | { kind: 'gamma'; shape: number; scale: number }
  | { kind: 'constant'; value: number };

/** Conversion (a proportion) and revenue per unit (revenue of the converters, 0 for the rest). */
export interface ConversionOutcomes {
  kind: 'conversion';
  rate: { control: number; treatment: number };
  /** Revenue of one converting unit; the treatment's defaults to the control's. Default lognormal, mean 40, cv 1.5. */
  revenuePerConverter?: { control: RevenueDistribution; treatment?: RevenueDistribution };
}

/** A continuous metric with a pre-exposure covariate (per unit (x, y) bivariate normal). */
export interface ContinuousOutcomes {
  kind: 'continuous';
  /** The metric's name in the statistics (default 'revenue', a mean). */
  metric?: string;
  mean: { control: number; treatment: number };
  sd: number;
  covariate: { mean: number; sd: number; correlation: number };
  /** Fill the covariate sums (CUPED's input); false leaves them 0, as for units without history. */
  fillCovariate: boolean;
}

export interface AbScenario {
  /** New units per hour at the endpoint, in the test or not. */
  unitsPerHour: number;
  /** Poisson arrivals per look interval (default), or exactly the rate (fractions carried over). */
  arrivals?: 'poisson' | 'fixed';
  outcomes: ConversionOutcomes | ContinuousOutcomes;
  /** Assignment bug: the treatment's probability is the design's share times this (default 1). */
  treatmentShareFactor?: number;
}

/** Who enters the test at each step, and in which arm. */
export interface TrafficDesign {
  stepCount: number;
  /** Share of arriving units that enter the test at `step`. */
  coverage(step: number): number;
  /** Probability that an entering unit goes to the treatment at `step` (before any skew). */
  treatmentShare(step: number): number;
}

/** What a rule sees at a look. `cells[step][arm][metric]`, arm 0 the control, metrics as `LookRule.metrics`. */
export interface LookContext {
  lookIndex: number;
  step: number;
  stepStartedAtMs: number;
  nowMs: number;
  cells: MetricCell[][][];
}

export interface LookDecision {
  action: RolloutAction;
  step: number;
  reasons: string[];
}

export interface LookRule {
  design: TrafficDesign;
  /** The metrics whose statistics are kept ('conversion', 'revenue', or the continuous metric). */
  metrics: readonly string[];
  decide(look: LookContext): LookDecision;
  /** Looks at which the real analysis ran (for the report). */
  analysedLooks(): number;
}

export interface SimulationResult {
  /** The final action; 'hold' only when the simulation ended early (stopWhenSrmFlagged). */
  action: RolloutAction;
  decidedAtMs: number;
  /** Units in the test (both arms, all steps) at the decision. */
  units: number;
  unitsPerArm: { control: number; treatment: number };
  /** Step at the decision, and the times of each advance. */
  step: number;
  advancedAtMs: number[];
  looks: number;
  analysedLooks: number;
  /** Some look held on a sample ratio mismatch. */
  srmFlagged: boolean;
  srmFirstFlaggedAtMs: number | null;
  reasons: string[];
}

export interface SimulationOptions {
  seed: number;
  /** Index of the test within its case (with the seed, it picks the random streams). */
  index: number;
  lookIntervalMs?: number;
  /** End the simulation at the first look that holds on a sample ratio mismatch (SRM cases). */
  stopWhenSrmFlagged?: boolean;
}

const SRM_PATTERN = /sample ratio mismatch/;
const SCREENED_HOLD: LookDecision = Object.freeze({
  action: 'hold',
  step: 0,
  reasons: Object.freeze(['look screen: hold']) as string[],
});
const SCREENED_SRM_HOLD: LookDecision = Object.freeze({
  action: 'hold',
  step: 0,
  reasons: Object.freeze([
    'look screen: the sequential test flags a sample ratio mismatch; hold',
  ]) as string[],
});

export function isSrmHold(decision: LookDecision): boolean {
  if (decision === SCREENED_HOLD) return false;
  if (decision === SCREENED_SRM_HOLD) return true;
  return decision.action === 'hold' && decision.reasons.some((r) => SRM_PATTERN.test(r));
}

const DEFAULT_REVENUE: RevenueDistribution = { kind: 'lognormal', mean: 40, cv: 1.5 };

/** Runs one simulated test under `rule` (the monitor's decision, or another rule for comparison). */
export function simulateWithRule(
  scenario: AbScenario,
  rule: LookRule,
  options: SimulationOptions,
): SimulationResult {
  const interval = options.lookIntervalMs ?? MONITOR_INTERVAL_MS;
  if (!(interval > 0)) throw new RangeError(`lookIntervalMs must be > 0, got ${interval}`);
  const traffic = new Random(deriveSeed(options.seed, options.index, 0));
  const draws = new Random(deriveSeed(options.seed, options.index, 1));
  const { design, metrics } = rule;
  const outcome = scenario.outcomes;
  const factor = scenario.treatmentShareFactor ?? 1;
  const perLook = (scenario.unitsPerHour * interval) / HOUR_MS;
  const poisson = (scenario.arrivals ?? 'poisson') === 'poisson';

  const fill = outcomeFiller(outcome, metrics, draws);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  const coverage = Array.from({ length: design.stepCount }, (_, s) => clamp(design.coverage(s)));
  const share = Array.from({ length: design.stepCount }, (_, s) => clamp(design.treatmentShare(s) * factor));
  const cells: MetricCell[][][] = [];
  const openStep = (step: number) => {
    while (cells.length <= step) {
      const s = cells.length;
      cells.push(
        ['control', 'treatment'].map((variant) =>
          metrics.map((metric) => ({
            variant,
            step: s,
            metric,
            units: 0,
            sum: 0,
            sumSquares: 0,
            covariateSum: 0,
            covariateSumSquares: 0,
            crossSum: 0,
          })),
        ),
      );
    }
  };
  let step = 0;
  let stepStartedAtMs = 0;
  let carry = 0;
  let srmFirstFlaggedAtMs: number | null = null;
  const advancedAtMs: number[] = [];
  openStep(0);
  const look: LookContext = { lookIndex: 0, step, stepStartedAtMs, nowMs: 0, cells };
  // Safety net: the decision ends every test at the maximum duration (one more look per step at most).
  const maxLooks = 10_000_000;
  for (let lookIndex = 1; lookIndex <= maxLooks; lookIndex++) {
    const nowMs = lookIndex * interval;
    let arrivals: number;
    if (poisson) arrivals = traffic.poisson(perLook);
    else {
      carry += perLook;
      arrivals = Math.floor(carry);
      carry -= arrivals;
    }
    const included = draws.binomial(arrivals, coverage[step]!);
    const treated = draws.binomial(included, share[step]!);
    fill(cells[step]![0]!, 0, included - treated);
    fill(cells[step]![1]!, 1, treated);

    look.lookIndex = lookIndex;
    look.step = step;
    look.stepStartedAtMs = stepStartedAtMs;
    look.nowMs = nowMs;
    const decision = rule.decide(look);
    const srm = isSrmHold(decision);
    if (srm && srmFirstFlaggedAtMs === null) srmFirstFlaggedAtMs = nowMs;
    const end = decision.action === 'promote' || decision.action === 'rollback' || decision.action === 'stop';
    if (end || (srm && options.stopWhenSrmFlagged)) {
      const control = cells.reduce((sum, s) => sum + s[0]![0]!.units, 0);
      const treatment = cells.reduce((sum, s) => sum + s[1]![0]!.units, 0);
      return {
        action: decision.action,
        decidedAtMs: nowMs,
        units: control + treatment,
        unitsPerArm: { control, treatment },
        step,
        advancedAtMs,
        looks: lookIndex,
        analysedLooks: rule.analysedLooks(),
        srmFlagged: srmFirstFlaggedAtMs !== null,
        srmFirstFlaggedAtMs,
        reasons: decision.reasons,
      };
    }
    if (decision.action === 'advance') {
      if (decision.step >= design.stepCount)
        throw new Error(`advanced to step ${decision.step} of ${design.stepCount}`);
      step = decision.step;
      stepStartedAtMs = nowMs;
      advancedAtMs.push(nowMs);
      openStep(step);
    }
  }
  throw new Error(`no decision after ${maxLooks} looks`);
}

/** Adds `n` units of arm `arm` to one step's cells of that arm. */
function outcomeFiller(
  outcome: AbScenario['outcomes'],
  metrics: readonly string[],
  rng: Random,
): (cells: MetricCell[], arm: 0 | 1, n: number) => void {
  if (outcome.kind === 'continuous') {
    const index = metrics.indexOf(outcome.metric ?? 'revenue');
    if (index < 0 || metrics.length !== 1) {
      throw new RangeError(
        `the continuous scenario fills exactly one metric (${outcome.metric ?? 'revenue'}); the policy tracks ${metrics.join(', ')}`,
      );
    }
    const sums = new Float64Array(5);
    const { covariate } = outcome;
    return (cells, arm, n) => {
      if (n <= 0) return;
      sums.fill(0);
      rng.addBivariateNormalSums(
        sums,
        n,
        covariate.mean,
        covariate.sd,
        arm === 0 ? outcome.mean.control : outcome.mean.treatment,
        outcome.sd,
        covariate.correlation,
      );
      const c = cells[index]!;
      c.units += n;
      c.sum += sums[2]!;
      c.sumSquares += sums[3]!;
      if (outcome.fillCovariate) {
        c.covariateSum += sums[0]!;
        c.covariateSumSquares += sums[1]!;
        c.crossSum += sums[4]!;
      }
    };
  }
  const conversion = metrics.indexOf('conversion');
  const revenue = metrics.indexOf('revenue');
  const unknown = metrics.filter((m) => m !== 'conversion' && m !== 'revenue');
  if (unknown.length > 0)
    throw new RangeError(`the conversion scenario fills conversion and revenue, not ${unknown.join(', ')}`);
  const control = outcome.revenuePerConverter?.control ?? DEFAULT_REVENUE;
  const revenueOf = [control, outcome.revenuePerConverter?.treatment ?? control].map(revenueSampler);
  const rates = [outcome.rate.control, outcome.rate.treatment] as const;
  return (cells, arm, n) => {
    if (n <= 0) return;
    const k = rng.binomial(n, rates[arm]);
    if (conversion >= 0) {
      const c = cells[conversion]!;
      c.units += n;
      c.sum += k;
      c.sumSquares += k;
    }
    if (revenue >= 0) {
      const r = cells[revenue]!;
      const draw = revenueOf[arm]!;
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < k; i++) {
        const v = draw(rng);
        sum += v;
        squares += v * v;
      }
      r.units += n;
      r.sum += sum;
      r.sumSquares += squares;
    }
  };
}

function revenueSampler(dist: RevenueDistribution): (rng: Random) => number {
  if (dist.kind === 'constant') return () => dist.value;
  if (dist.kind === 'gamma') return (rng) => rng.gamma(dist.shape) * dist.scale;
  const s2 = Math.log1p(dist.cv * dist.cv);
  const mu = Math.log(dist.mean) - 0.5 * s2;
  const sigma = Math.sqrt(s2);
  return (rng) => Math.exp(mu + sigma * rng.normal());
}

export interface MonitorRuleOptions {
  /** Skip the analysis at looks look-screen.ts certifies `hold` (default true). */
  screen?: boolean;
  /** With the screen: still run (and check) the analysis every this many looks (default 72: 6 hours). */
  crossCheckEvery?: number;
  detail?: 'decision' | 'full';
}

/** The simulated tests start here (any date: only differences of times matter). */
const T0 = Date.UTC(2026, 0, 1);

/**
 * The rollout monitor's rule: the real analysis and decision on the test's statistics (all steps,
 * as the registry keeps them), with the coverage ramp and fixed split of the policy.
 */
export function monitorRule(
  policy: RolloutPolicy,
  options: MonitorRuleOptions = {},
): LookRule & { lastAnalysis(): AbAnalysis | null } {
  const metrics = trackedMetrics(policy).map((m) => m.name);
  const split = treatmentSplit(policy);
  const weights = { control: 1 - split, treatment: split };
  const data: AbTestData = {
    variants: [
      { name: 'control', isControl: true, weight: weights.control },
      { name: 'treatment', isControl: false, weight: weights.treatment },
    ],
    metrics: [],
    requests: [],
    elapsedMs: 0,
    coverage: 0,
  };
  const screenOn = options.screen ?? true;
  const crossCheckEvery = Math.max(1, options.crossCheckEvery ?? 72);
  const screen = screenOn ? new LookScreen(policy, metrics, weights, false) : null;
  const detail = options.detail ?? 'decision';
  // Reused, never allocated per look: decideRollout only reads them.
  const state: RolloutState = {
    step: 0,
    stepStartedAt: new Date(T0),
    testStartedAt: new Date(T0),
    now: new Date(T0),
  };
  let analysed = 0;
  let last: AbAnalysis | null = null;
  const screenState = { step: 0, stepStartedAtMs: 0, nowMs: 0, testStartedAtMs: 0 };
  // The previous look's stored analysis, as far as the next look reads it (analyseStoredTest).
  const carry = { looked: false, srmPValue: 1, srmDetected: false, primaryPValue: null as number | null };
  /** A look decided without the analysis: carries what it would have stored, as the monitor does. */
  const carryForward = (srmPValue: number, srmDetected: boolean, primaryPValue: number) => {
    const p = Number.isNaN(primaryPValue) ? null : primaryPValue;
    if (carry.looked) {
      carry.srmPValue = Math.min(srmPValue, carry.srmPValue);
      carry.srmDetected = srmDetected || carry.srmDetected;
      carry.primaryPValue =
        p === null ? null : carry.primaryPValue === null ? p : Math.min(p, carry.primaryPValue);
    } else {
      carry.srmPValue = srmPValue;
      carry.srmDetected = srmDetected;
      carry.primaryPValue = p;
    }
    carry.looked = true;
  };
  return {
    metrics,
    design: {
      stepCount: policy.steps.length,
      coverage: (step) => coverageAtStep(policy, step),
      treatmentShare: () => split,
    },
    analysedLooks: () => analysed,
    lastAnalysis: () => last,
    decide(look) {
      const { cells } = look;
      if (data.metrics.length !== cells.length * 2 * metrics.length) data.metrics = cells.flat(2);
      const timedOut = look.nowMs >= policy.maxDurationMs;
      let certified = false;
      if (screen) {
        screenState.step = look.step;
        screenState.stepStartedAtMs = look.stepStartedAtMs;
        screenState.nowMs = look.nowMs;
        screen.read(cells, screenState);
        // Once the SRM test has rejected, the carried rejection holds every look until the maximum duration.
        certified = screen.certifiedHold || (!timedOut && (carry.srmDetected || screen.srmDetected));
        if (certified && look.lookIndex % crossCheckEvery !== 0) {
          carryForward(screen.srmPValue, screen.srmDetected, screen.primaryPValue);
          return carry.srmDetected ? SCREENED_SRM_HOLD : SCREENED_HOLD;
        }
      }
      data.elapsedMs = look.nowMs;
      data.coverage = coverageAtStep(policy, look.step);
      state.step = look.step;
      state.stepStartedAt.setTime(T0 + look.stepStartedAtMs);
      state.now.setTime(T0 + look.nowMs);
      const analysis = analyseAbTest(data, policy, { detail });
      const where = `look ${look.lookIndex} (step ${look.step}, ${(look.nowMs / HOUR_MS).toFixed(2)} h)`;
      if (screen) screen.check(analysis, where);
      // What test-data.ts's analyseStoredTest (the monitor's analysis) carries from the analysis stored
      // at the previous look: the running minimum of the always-valid p-values, the SRM rejection.
      const srm = analysis.sampleRatioMismatch;
      const primary = analysis.treatments[0]?.primary ?? null;
      if (carry.looked) {
        srm.pValue = Math.min(srm.pValue, carry.srmPValue);
        srm.detected = srm.detected || carry.srmDetected;
        if (primary && carry.primaryPValue !== null) {
          primary.sequential.pValue = Math.min(primary.sequential.pValue, carry.primaryPValue);
        }
      }
      carry.looked = true;
      carry.srmPValue = srm.pValue;
      carry.srmDetected = srm.detected;
      carry.primaryPValue = primary ? primary.sequential.pValue : null;
      const decision: RolloutDecision = decideRollout(policy, state, analysis);
      analysed++;
      last = analysis;
      if (certified && decision.action !== 'hold') {
        throw new Error(
          `look screen certified hold at ${where}, the decision is ${decision.action} (${decision.reasons.join('; ')})`,
        );
      }
      return decision;
    },
  };
}

/** One test under the monitor's rule. */
export function simulateAbTest(
  scenario: AbScenario,
  options: SimulationOptions & MonitorRuleOptions & { policy: RolloutPolicy },
): SimulationResult {
  return simulateWithRule(scenario, monitorRule(options.policy, options), options);
}

export interface SimulationSummary {
  tests: number;
  promoted: number;
  rolledBack: number;
  stopped: number;
  /** Ended early while holding (stopWhenSrmFlagged). */
  held: number;
  srmFlagged: number;
  /** Medians over all tests of the units and days at the decision. */
  medianUnits: number;
  medianDays: number;
  looks: number;
  analysedLooks: number;
}

/** Shares (0–1) of each outcome, and medians, over a case's results. */
export function summarise(results: readonly SimulationResult[]): SimulationSummary {
  const n = results.length;
  const share = (f: (r: SimulationResult) => boolean) => results.filter(f).length / n;
  return {
    tests: n,
    promoted: share((r) => r.action === 'promote'),
    rolledBack: share((r) => r.action === 'rollback'),
    stopped: share((r) => r.action === 'stop'),
    held: share((r) => r.action === 'hold'),
    srmFlagged: share((r) => r.srmFlagged),
    medianUnits: median(results.map((r) => r.units)),
    medianDays: median(results.map((r) => r.decidedAtMs / DAY_MS)),
    looks: results.reduce((sum, r) => sum + r.looks, 0),
    analysedLooks: results.reduce((sum, r) => sum + r.analysedLooks, 0),
  };
}

/** Runs `tests` simulated tests, index 0 … tests−1. */
export function simulateMany(tests: number, one: (index: number) => SimulationResult): SimulationResult[] {
  const out: SimulationResult[] = [];
  for (let i = 0; i < tests; i++) out.push(one(i));
  return out;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : 0.5 * (sorted[mid - 1]! + sorted[mid]!);
}

/** The binomial standard error of a rate p over n tests. */
export function standardError(p: number, n: number): number {
  return Math.sqrt((p * (1 - p)) / n);
}

export const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;

/** The conversion scenario at `unitsPerHour` with the given true rates. */
export function conversionScenario(
  rate: { control: number; treatment: number },
  extra: Partial<Omit<AbScenario, 'outcomes'>> & {
    revenuePerConverter?: ConversionOutcomes['revenuePerConverter'];
  } = {},
): AbScenario {
  const { revenuePerConverter, ...rest } = extra;
  return {
    unitsPerHour: 2000,
    ...rest,
    outcomes: { kind: 'conversion', rate, ...(revenuePerConverter ? { revenuePerConverter } : {}) },
  };
}
