/**
 * The simulated cases the seeded simulation tests (*.sim.test.ts) and bench/ab-decisions.ts run:
 * the default policy, 2,000 units per hour at the endpoint, a 5% baseline conversion rate, revenue
 * per converter lognormal (mean 40, cv 1.5) in both arms, looks every 5 minutes.
 */
import { rolloutPolicySchema, type RolloutPolicy } from '../rollout-policy.ts';
import {
  conversionScenario,
  pct,
  simulateAbTest,
  simulateMany,
  summarise,
  type AbScenario,
  type MonitorRuleOptions,
  type SimulationResult,
  type SimulationSummary,
} from './simulate-ab-test.ts';

export const UNITS_PER_HOUR = 2000;
export const BASELINE_CONVERSION = 0.05;
/** Simulated tests per case in the simulation tests. */
export const TESTS_PER_CASE = 1000;

export const defaultPolicy: RolloutPolicy = rolloutPolicySchema.parse({});

/** The conversion cases: the treatment's true rate relative to the 5% baseline. */
export const conversionCases = {
  'A/A': { treatment: BASELINE_CONVERSION, seed: 0xa0a0 },
  '+10%': { treatment: BASELINE_CONVERSION * 1.1, seed: 0x1010 },
  '-10%': { treatment: BASELINE_CONVERSION * 0.9, seed: 0x9090 },
} as const;

export type ConversionCase = keyof typeof conversionCases;

export function conversionCaseScenario(
  name: ConversionCase,
  extra: Partial<Omit<AbScenario, 'outcomes'>> = {},
): AbScenario {
  return conversionScenario(
    { control: BASELINE_CONVERSION, treatment: conversionCases[name].treatment },
    { unitsPerHour: UNITS_PER_HOUR, ...extra },
  );
}

/**
 * The CUPED case: a continuous primary metric ('revenue', a mean) of mean 10 and sd 8 per unit, a
 * pre-exposure covariate of the same scale with correlation 0.7, and a true +2% effect.
 */
export function cupedScenario(): AbScenario {
  return {
    unitsPerHour: UNITS_PER_HOUR,
    outcomes: {
      kind: 'continuous',
      mean: { control: 10, treatment: 10.2 },
      sd: 8,
      covariate: { mean: 10, sd: 8, correlation: 0.7 },
      fillCovariate: true,
    },
  };
}

export const cupedPolicy = (enabled: boolean): RolloutPolicy =>
  rolloutPolicySchema.parse({ metric: 'revenue', guardrails: { businessMetric: false }, cuped: { enabled } });

/** Runs `tests` tests of a scenario under the monitor's rule. */
export function runCase(
  scenario: AbScenario,
  options: MonitorRuleOptions & {
    policy: RolloutPolicy;
    seed: number;
    tests?: number;
    lookIntervalMs?: number;
    stopWhenSrmFlagged?: boolean;
  },
): { results: SimulationResult[]; summary: SimulationSummary; seconds: number; cpuSeconds: number } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const results = simulateMany(options.tests ?? TESTS_PER_CASE, (index) =>
    simulateAbTest(scenario, { ...options, index }),
  );
  const used = process.cpuUsage(cpu);
  return {
    results,
    summary: summarise(results),
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

/** One line: the outcome shares (with counts), the medians, the looks analysed. */
export function describeSummary(
  name: string,
  s: SimulationSummary,
  time?: { seconds: number; cpuSeconds: number },
): string {
  const count = (x: number) => `${pct(x)} (${Math.round(x * s.tests)}/${s.tests})`;
  return (
    `${name}: promoted ${count(s.promoted)}, rolled back ${count(s.rolledBack)}, stopped ${count(s.stopped)}` +
    (s.held > 0 ? `, ended early holding ${count(s.held)}` : '') +
    `, SRM flagged ${count(s.srmFlagged)}; median ${Math.round(s.medianUnits)} units, ${s.medianDays.toFixed(2)} days at the decision; ` +
    `${s.analysedLooks} of ${s.looks} looks analysed` +
    (time === undefined ? '' : `; ${time.seconds.toFixed(1)} s (${time.cpuSeconds.toFixed(1)} s CPU)`)
  );
}
