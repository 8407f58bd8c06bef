/** The numeric entries of a metrics object (model versions, evaluations), sorted by name. Pure. */
export function numericMetrics(metrics: unknown): Array<[string, number]> {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return [];
  return Object.entries(metrics)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** Metrics where a smaller value is better (errors and losses); the rest are higher-is-better. */
const LOWER_IS_BETTER = /(loss|rmse|mae|mse|error|logloss|log_loss|brier|ece|calibration)/i;

/** Whether b's change against a is an improvement, a regression, or neither. */
export function changeDirection(
  metric: string,
  difference: number | null,
): 'better' | 'worse' | 'same' | null {
  if (difference === null || !Number.isFinite(difference)) return null;
  if (difference === 0) return 'same';
  const lowerBetter = LOWER_IS_BETTER.test(metric);
  return difference < 0 === lowerBetter ? 'better' : 'worse';
}
