/**
 * A metric that cannot be computed for its input (a single class present, an empty slice, no
 * relevant items) is a value of its own, never NaN: NaN becomes `null` in JSON and reads as
 * "zero" on a dashboard, and a throw would kill the evaluate stage for a slice nobody asked about.
 * scikit-learn raises or warns and returns NaN in these cases; each function says which.
 */
export type UndefinedReasonCode =
  | 'empty_input'
  | 'single_class'
  | 'no_positive'
  | 'no_negative'
  | 'too_few_samples'
  | 'no_relevant_items'
  | 'not_finite';

export interface UndefinedMetric {
  readonly undefined: true;
  readonly code: UndefinedReasonCode;
  readonly reason: string;
}

/** A number, or the reason why there is none. */
export type MetricValue = number | UndefinedMetric;

export function undefinedMetric(code: UndefinedReasonCode, reason: string): UndefinedMetric {
  return { undefined: true, code, reason };
}

export function isDefinedMetric(value: MetricValue): value is number {
  return typeof value === 'number';
}

export function isUndefinedMetric(value: unknown): value is UndefinedMetric {
  return typeof value === 'object' && value !== null && (value as { undefined?: unknown }).undefined === true;
}

/**
 * Splits named metric values into the numbers (stored as `metrics`) and the reasons why the others
 * are missing (stored next to them), so that the JSON of an evaluation never holds NaN.
 */
export function partitionMetrics(values: Record<string, MetricValue>): {
  metrics: Record<string, number>;
  undefinedMetrics: Record<string, { code: UndefinedReasonCode; reason: string }>;
} {
  const metrics: Record<string, number> = {};
  const undefinedMetrics: Record<string, { code: UndefinedReasonCode; reason: string }> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) metrics[name] = value;
      else undefinedMetrics[name] = { code: 'not_finite', reason: `${name} is not finite (${value})` };
    } else {
      undefinedMetrics[name] = { code: value.code, reason: value.reason };
    }
  }
  return { metrics, undefinedMetrics };
}
