// A subpath: the contract's index carries zod schemas the browser bundle does not need.
import { metricDirection } from '@lathe/contract/metric-direction';

/** The numeric entries of a metrics object (model versions, evaluations), sorted by name. Pure. */
export function numericMetrics(metrics: unknown): Array<[string, number]> {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return [];
  return Object.entries(metrics)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** The note an evaluation stores beside its numbers (what a generative model's metrics mean). Pure. */
export function metricsNote(metrics: unknown): string | null {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return null;
  const note = (metrics as Record<string, unknown>).note;
  return typeof note === 'string' && note.trim() !== '' ? note : null;
}

/** Whether b's change against a is an improvement, a regression, or neither. */
export function changeDirection(
  metric: string,
  difference: number | null,
): 'better' | 'worse' | 'same' | null {
  if (difference === null || !Number.isFinite(difference)) return null;
  if (difference === 0) return 'same';
  // The metric vocabulary the gate uses; a metric it does not know is read as higher-is-better.
  const lowerBetter = metricDirection(metric) === 'lower';
  return difference < 0 === lowerBetter ? 'better' : 'worse';
}
