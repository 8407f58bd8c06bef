/**
 * A/B rollout decisions: the OLD fixed-α rule (the baseline) against the NEW sequential rule on
 * identical traffic, measured in one process. Cases: A/A, a true +10% and a true −10% conversion
 * change, 5% baseline, 2,000 units per hour at the endpoint, revenue per converter lognormal
 * (mean 40, cv 1.5) in both arms, a look every 5 minutes (the monitor's default interval) for at
 * most 14 days. Both rules see the same seeded arrivals (the traffic stream of test i under a
 * case's seed is the same for both); who enters which arm follows each rule's own design.
 *
 *   OLD (re-implemented below as the project had it before the sequential rewrite): the treatment's
 *   share of all traffic is the step's (10%, then 50%: the split changes per step, every unit is in
 *   the test); each look analyses the CURRENT STEP's units only with a fixed-α two-proportion z-test
 *   (α 0.05); holds on a chi-square SRM (p < 0.001) or fewer than 500 units per arm; rolls back when
 *   the treatment is significantly worse OR its relative change point estimate is below −10%;
 *   advances after the 1 h minimum step duration; at the last step promotes when significantly
 *   better; stops at 14 days.
 *   NEW: the real analyseAbTest + decideRollout of @lathe/experiments with the default policy
 *   (packages/experiments/src/simulation: fixed 50/50 split, coverage ramp 20% → 100%, all steps
 *   post-stratified, always-valid mSPRT, revenue non-inferiority guardrail, sequential SRM).
 *
 * Prints the share of tests promoted / rolled back / stopped, the median units and days at the
 * decision, and new / old ratios. Run: pnpm exec tsx bench/ab-decisions.ts [tests-per-case=200]
 * (add --exact to run the new rule's analysis at every look instead of behind the look screen;
 * the decisions are the same, several times slower).
 */
import { sampleRatioMismatch, twoProportionTest } from '../packages/experiments/src/statistics.ts';
import {
  conversionCases,
  conversionCaseScenario,
  defaultPolicy,
  type ConversionCase,
} from '../packages/experiments/src/simulation/cases.ts';
import {
  DAY_MS,
  monitorRule,
  pct,
  simulateMany,
  simulateWithRule,
  summarise,
  type LookDecision,
  type LookRule,
  type SimulationSummary,
} from '../packages/experiments/src/simulation/simulate-ab-test.ts';

const testsPerCase = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 200);
const exact = process.argv.includes('--exact');

// ─── THE OLD RULE (before the sequential rewrite), re-implemented for this comparison ────────────
const OLD_POLICY = {
  steps: [0.1, 0.5],
  minExposuresPerArm: 500,
  minStepDurationMs: 60 * 60 * 1000,
  maxDurationMs: 14 * DAY_MS,
  alpha: 0.05,
  maxRelativeDrop: 0.1,
  srmAlpha: 0.001,
} as const;

const oldHold = (reason: string): LookDecision => ({ action: 'hold', step: 0, reasons: [reason] });
const OLD_SRM_HOLD = oldHold('sample ratio mismatch (chi-square over the current step’s units): hold');
const OLD_WAIT = oldHold('waiting for 500 exposures per arm at this step');
const OLD_HOLD = oldHold('not significant yet / within the minimum step duration');

function oldFixedAlphaRule(): LookRule {
  const p = OLD_POLICY;
  const last = p.steps.length - 1;
  return {
    metrics: ['conversion', 'revenue'],
    design: { stepCount: p.steps.length, coverage: () => 1, treatmentShare: (step) => p.steps[step]! },
    analysedLooks: () => 0,
    decide({ step, cells, nowMs, stepStartedAtMs }) {
      // The current step's units only (the old monitor read events since the step started).
      const c = cells[step]![0]![0]!;
      const t = cells[step]![1]![0]!;
      const share = p.steps[step]!;
      if (sampleRatioMismatch([c.units, t.units], [1 - share, share]).pValue < p.srmAlpha)
        return OLD_SRM_HOLD;
      if (c.units < p.minExposuresPerArm || t.units < p.minExposuresPerArm) return OLD_WAIT;
      const z = twoProportionTest(
        { n: c.units, conversions: c.sum },
        { n: t.units, conversions: t.sum },
        p.alpha,
      );
      const worse = z.difference < 0 && z.pValue < p.alpha;
      const dropped = z.relativeUplift !== null && z.relativeUplift < -p.maxRelativeDrop;
      if (worse || dropped)
        return {
          action: 'rollback',
          step,
          reasons: [worse ? 'significantly worse' : `relative change ${pct(z.relativeUplift!)} < −10%`],
        };
      if (step < last) {
        if (nowMs - stepStartedAtMs < p.minStepDurationMs) return OLD_HOLD;
        return { action: 'advance', step: step + 1, reasons: ['not worse; advancing'] };
      }
      if (z.difference > 0 && z.pValue < p.alpha)
        return { action: 'promote', step, reasons: ['significantly better'] };
      if (nowMs >= p.maxDurationMs)
        return { action: 'stop', step, reasons: ['no significant difference after the maximum duration'] };
      return OLD_HOLD;
    },
  };
}
// ─────────────────────────────────────────────────────────────────────────────────────────────

function run(name: ConversionCase, rule: () => LookRule): { summary: SimulationSummary; seconds: number } {
  const started = performance.now();
  const scenario = conversionCaseScenario(name);
  const { seed } = conversionCases[name];
  const results = simulateMany(testsPerCase, (index) => simulateWithRule(scenario, rule(), { seed, index }));
  return { summary: summarise(results), seconds: (performance.now() - started) / 1000 };
}

const cases: ConversionCase[] = ['A/A', '+10%', '-10%'];
const rows: Array<{
  name: ConversionCase;
  old: SimulationSummary;
  new: SimulationSummary;
  oldSeconds: number;
  newSeconds: number;
}> = [];
console.log(
  `A/B decisions, ${testsPerCase} simulated tests per case: 5% baseline conversion, 2,000 units/h, a look every 5 min, at most 14 days; ` +
    `old and new rule on the same seeded arrivals${exact ? '; new rule analysed at every look (--exact)' : ''}`,
);
for (const name of cases) {
  const old = run(name, oldFixedAlphaRule);
  const neu = run(name, () => monitorRule(defaultPolicy, { screen: !exact }));
  rows.push({ name, old: old.summary, new: neu.summary, oldSeconds: old.seconds, newSeconds: neu.seconds });
}

const header = ['case', 'rule', 'promoted', 'rolled back', 'stopped', 'median units', 'median days', 'time'];
const table = rows.flatMap((r) =>
  (
    [
      ['old fixed-α (baseline)', r.old, r.oldSeconds],
      ['new sequential', r.new, r.newSeconds],
    ] as const
  ).map(([rule, s, seconds]) => [
    r.name,
    rule,
    pct(s.promoted),
    pct(s.rolledBack),
    pct(s.stopped),
    Math.round(s.medianUnits).toLocaleString('en'),
    s.medianDays.toFixed(2),
    `${seconds.toFixed(1)} s`,
  ]),
);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: readonly string[]) =>
  cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(header));
for (const row of table) console.log(line(row));

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '—' : '∞') : `${(a / b).toFixed(2)}×`);
console.log('new / old (baseline):');
for (const r of rows) {
  console.log(
    `  ${r.name.padEnd(4)}: promoted ${ratio(r.new.promoted, r.old.promoted)}, rolled back ${ratio(r.new.rolledBack, r.old.rolledBack)}, ` +
      `median units ${ratio(r.new.medianUnits, r.old.medianUnits)}, median days ${ratio(r.new.medianDays, r.old.medianDays)}`,
  );
}
const aa = rows.find((r) => r.name === 'A/A')!;
console.log(
  `false decisions in A/A (promoted + rolled back): old ${pct(aa.old.promoted + aa.old.rolledBack)}, new ${pct(aa.new.promoted + aa.new.rolledBack)} ` +
    `(the new rule's target: ≤ α = ${pct(defaultPolicy.alpha, 0)} each way)`,
);
