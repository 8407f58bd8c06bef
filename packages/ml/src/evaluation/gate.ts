/**
 * The promotion gate, as TFX's Evaluator: the experiment declares thresholds, absolute
 * (`auc ≥ 0.80`) and relative to the model in production (`auc ≥ baseline − 0.01`), and a
 * candidate passes only if every threshold holds. The baseline is the production model evaluated
 * on the same split in the same stage; with no production model, the absolute thresholds alone
 * decide and the reasons say so.
 */
import { ValidationError } from '@lathe/core';
import type { UndefinedMetrics } from './summary.ts';
import { type Gate, type GateThreshold, type MaxIncreaseThreshold, gateSchema } from '@lathe/contract';
import { formatAllowance, formatPair } from './format-metric.ts';
import type { TrivialBaseline } from './trivial-baseline.ts';
import { trivialBaselineChecks } from './trivial-baseline.ts';

/** Parses an experiment's `gate` JSON; a ValidationError names each bad threshold. */
export function parseGate(input: unknown): Gate {
  const result = gateSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || 'gate'}: ${issue.message}`);
  throw new ValidationError(`invalid gate: ${issues.join('; ')}`, { issues }, 'invalid_gate');
}

/** Metrics as stored on an evaluation; undefinedMetrics explain why a metric is missing. */
export type GateMetrics =
  | Record<string, number>
  | { readonly metrics: Record<string, number>; readonly undefinedMetrics?: UndefinedMetrics };

export interface GateCheck {
  readonly metric: string;
  /** `trivial`: against the constant model of trivial-baseline.ts, checked for every classifier. */
  readonly kind: 'absolute' | 'baseline' | 'trivial';
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly op: '>=' | '<=';
  readonly actual?: number;
  readonly required?: number;
  readonly baseline?: number;
  readonly reason: string;
}

export interface GateResult {
  readonly verdict: 'passed' | 'failed';
  /** One line per threshold (plus one when there is no production model), for people. */
  readonly reasons: string[];
  readonly checks: GateCheck[];
  readonly baselineUsed: boolean;
}

/** Comparisons forgive float rounding in the required value (0.83 − 0.01 = 0.8199999999999999). */
const SLACK = 1e-12;

function holds(actual: number, op: '>=' | '<=', required: number): boolean {
  const slack = SLACK * Math.max(1, Math.abs(required));
  return op === '>=' ? actual >= required - slack : actual <= required + slack;
}

function split(metrics: GateMetrics): { values: Record<string, number>; undefinedMetrics: UndefinedMetrics } {
  if ('metrics' in metrics && typeof metrics.metrics === 'object') {
    const m = metrics as { metrics: Record<string, number>; undefinedMetrics?: UndefinedMetrics };
    return { values: m.metrics, undefinedMetrics: m.undefinedMetrics ?? {} };
  }
  return { values: metrics as Record<string, number>, undefinedMetrics: {} };
}

function missing(
  metric: string,
  who: string,
  m: { values: Record<string, number>; undefinedMetrics: UndefinedMetrics },
): string | null {
  const value = m.values[metric];
  if (typeof value === 'number' && Number.isFinite(value)) return null;
  const why = m.undefinedMetrics[metric];
  if (why) return `${metric} is undefined for the ${who} (${why.reason}): failed`;
  if (value !== undefined) return `${metric} of the ${who} is ${String(value)}, not a number: failed`;
  const available = Object.keys(m.values).sort().join(', ') || 'none';
  return `${metric} is missing from the ${who}'s metrics (available: ${available}): failed`;
}

function compareText(metric: string, actual: number, op: '>=' | '<=', required: number, ok: boolean): string {
  const [a, r] = formatPair(actual, required);
  const sign = ok ? (op === '>=' ? '≥' : '≤') : op === '>=' ? '<' : '>';
  return `${metric} ${a} ${sign} required ${r}`;
}

export function applyGate(
  candidateMetrics: GateMetrics,
  baselineMetrics: GateMetrics | null,
  gate: Gate | readonly GateThreshold[],
  options: { trivial?: TrivialBaseline } = {},
): GateResult {
  const thresholds = Array.isArray(gate) ? (gate as readonly GateThreshold[]) : (gate as Gate).thresholds;
  const candidate = split(candidateMetrics);
  const baseline = baselineMetrics === null ? null : split(baselineMetrics);
  const checks: GateCheck[] = [];

  for (const threshold of thresholds) {
    const { metric } = threshold;
    if ('op' in threshold) {
      const absent = missing(metric, 'candidate', candidate);
      if (absent) {
        checks.push({
          metric,
          kind: 'absolute',
          status: 'failed',
          op: threshold.op,
          required: threshold.value,
          reason: absent,
        });
        continue;
      }
      const actual = candidate.values[metric]!;
      const ok = holds(actual, threshold.op, threshold.value);
      checks.push({
        metric,
        kind: 'absolute',
        status: ok ? 'passed' : 'failed',
        op: threshold.op,
        actual,
        required: threshold.value,
        reason: compareText(metric, actual, threshold.op, threshold.value, ok),
      });
      continue;
    }
    const decrease = 'maxDecrease' in threshold;
    const op = decrease ? '>=' : '<=';
    const allowance = decrease ? threshold.maxDecrease : (threshold as MaxIncreaseThreshold).maxIncrease;
    const relative = threshold.relative ?? false;
    if (baseline === null) {
      checks.push({
        metric,
        kind: 'baseline',
        status: 'skipped',
        op,
        reason: `${metric}: change vs baseline not checked, there is no production model`,
      });
      continue;
    }
    const absent =
      missing(metric, 'candidate', candidate) ?? missing(metric, 'production baseline', baseline);
    if (absent) {
      checks.push({ metric, kind: 'baseline', status: 'failed', op, reason: absent });
      continue;
    }
    const actual = candidate.values[metric]!;
    const base = baseline.values[metric]!;
    const delta = relative ? Math.abs(base) * allowance : allowance;
    const required = decrease ? base - delta : base + delta;
    const ok = holds(actual, op, required);
    const [baseText] = formatPair(base, actual);
    const detail = `(baseline ${baseText} ${decrease ? '−' : '+'} ${formatAllowance(allowance, relative)})`;
    checks.push({
      metric,
      kind: 'baseline',
      status: ok ? 'passed' : 'failed',
      op,
      actual,
      required,
      baseline: base,
      reason: `${compareText(metric, actual, op, required, ok)} ${detail}`,
    });
  }

  if (options.trivial !== undefined) checks.push(...trivialBaselineChecks(candidate.values, options.trivial));
  const reasons = checks.map((c) => c.reason);
  if (baseline === null) {
    const absolute = checks.filter((c) => c.kind === 'absolute').length;
    const trivial = options.trivial !== undefined;
    reasons.unshift(
      absolute === 0
        ? trivial
          ? 'no production model to compare with, and no absolute threshold: the trivial baseline alone decides'
          : 'no production model to compare with, and no absolute threshold: nothing to check, the gate passes'
        : `no production model to compare with: the ${absolute} absolute threshold${absolute === 1 ? '' : 's'}${trivial ? ' and the trivial baseline decide' : ` alone decide${absolute === 1 ? 's' : ''}`}`,
    );
  } else if (thresholds.length === 0) {
    reasons.push(
      options.trivial === undefined
        ? 'the experiment declares no threshold: the gate passes'
        : 'the experiment declares no threshold: the trivial baseline alone decides',
    );
  }
  return {
    verdict: checks.some((c) => c.status === 'failed') ? 'failed' : 'passed',
    reasons,
    checks,
    baselineUsed: baseline !== null,
  };
}
