/**
 * The A/B report as the admin API returns it and the dashboard and CLI show it: the test, the
 * analysis of all its data (the same one the monitor decides on), its plan, and the history of
 * the monitor's looks. Declared once here for every side.
 */
import type { AbAnalysis, MetricComparison } from './analysis.ts';
import type { AbPlan } from './ab-plan.ts';

export interface AbDecisionSummary {
  id: string;
  decidedAt: string;
  step: number;
  action: string;
  applied: boolean;
  reasons: string[];
  /** The primary metric at that look: relative change, its always-valid interval and p-value. */
  primary: {
    relativeChange: number | null;
    sequentialInterval: [number, number] | null;
    pValue: number | null;
    units: number;
  } | null;
}

export interface AbReport {
  abTestId: string;
  name: string;
  status: string;
  endpoint: string;
  primaryMetric: string;
  decisionRule: string;
  alpha: number;
  /** Treatment's share of all traffic per step, the current step and its coverage (share of units in the test). */
  steps: number[];
  currentStep: number;
  coverage: number;
  /** How the split works: fixed among included units, coverage ramps (a unit never changes arm). */
  assignment: { hashVersion: number; split: Array<{ variant: string; weight: number }>; rule: string };
  startedAt: string | null;
  endedAt: string | null;
  decision: string | null;
  decisionReasons: string[];
  analysis: AbAnalysis;
  plan: AbPlan | null;
  history: AbDecisionSummary[];
}

/** The primary metric's headline of a look (the first treatment's primary comparison), for the history. */
export function primarySummary(
  primary: Partial<MetricComparison> | null | undefined,
): AbDecisionSummary['primary'] {
  if (!primary?.sequential || !primary.units) return null;
  return {
    relativeChange: primary.relative?.estimate ?? null,
    sequentialInterval: primary.relative?.sequentialInterval ?? null,
    pValue: primary.sequential.pValue,
    units: primary.units.control + primary.units.treatment,
  };
}
