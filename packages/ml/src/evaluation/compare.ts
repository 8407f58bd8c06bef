/**
 * Side-by-side comparison of two evaluations. Metrics are only comparable on the same rows, so
 * both must be on the same dataset version and split.
 */
import { ValidationError } from '@lathe/core';
import { type MetricDirection, metricDirection } from '@lathe/contract';

export interface ComparableEvaluation {
  readonly id?: string;
  readonly modelVersionId?: string;
  readonly datasetVersionId: string;
  readonly split: string;
  readonly metrics: Record<string, number>;
}

export interface MetricComparison {
  readonly metric: string;
  readonly a: number;
  readonly b: number;
  /** b − a. */
  readonly delta: number;
  /** (b − a) / |a|; absent when a is 0. */
  readonly relativeDelta?: number;
  readonly direction?: MetricDirection;
  /** Which evaluation is better on this metric; "unknown" when the metric's direction is. */
  readonly better: 'a' | 'b' | 'equal' | 'unknown';
}

export interface EvaluationComparison {
  readonly datasetVersionId: string;
  readonly split: string;
  readonly metrics: MetricComparison[];
  readonly onlyInA: string[];
  readonly onlyInB: string[];
}

export function compareEvaluations(a: ComparableEvaluation, b: ComparableEvaluation): EvaluationComparison {
  if (a.datasetVersionId !== b.datasetVersionId || a.split !== b.split) {
    throw new ValidationError(
      `evaluations are not comparable: ${a.id ?? 'a'} is on dataset version ${a.datasetVersionId} split "${a.split}", ${b.id ?? 'b'} on ${b.datasetVersionId} split "${b.split}"; evaluate both models on the same split`,
      {
        a: { datasetVersionId: a.datasetVersionId, split: a.split },
        b: { datasetVersionId: b.datasetVersionId, split: b.split },
      },
      'evaluations_not_comparable',
    );
  }
  const names = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
  const metrics: MetricComparison[] = [];
  const onlyInA: string[] = [];
  const onlyInB: string[] = [];
  for (const metric of names) {
    const va = a.metrics[metric];
    const vb = b.metrics[metric];
    if (vb === undefined) {
      onlyInA.push(metric);
      continue;
    }
    if (va === undefined) {
      onlyInB.push(metric);
      continue;
    }
    const delta = vb - va;
    const direction = metricDirection(metric);
    const equal = Math.abs(delta) <= 1e-12 * Math.max(1, Math.abs(va));
    const better = equal
      ? 'equal'
      : direction === undefined
        ? 'unknown'
        : (direction === 'higher') === delta > 0
          ? 'b'
          : 'a';
    metrics.push({
      metric,
      a: va,
      b: vb,
      delta,
      ...(va === 0 ? {} : { relativeDelta: delta / Math.abs(va) }),
      ...(direction ? { direction } : {}),
      better,
    });
  }
  return { datasetVersionId: a.datasetVersionId, split: a.split, metrics, onlyInA, onlyInB };
}
