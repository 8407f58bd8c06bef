/**
 * Per-step metrics of a run (training curves). Appended in batches; a step recorded twice
 * (a retried epoch) keeps its first value, so retries never duplicate points.
 */
import { ValidationError } from '@lathe/core';
import type { RunMetric } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

export interface MetricPoint {
  name: string;
  step: number;
  value: number;
}

export async function appendRunMetrics(db: Db, runId: string, points: MetricPoint[]): Promise<number> {
  for (const point of points) {
    if (!Number.isFinite(point.value)) {
      throw new ValidationError(
        `metric ${point.name} at step ${point.step} is ${point.value}; metrics must be finite`,
        {
          runId,
          ...point,
        },
        'metric_not_finite',
      );
    }
    if (!Number.isInteger(point.step) || point.step < 0) {
      throw new ValidationError(
        `metric ${point.name} has step ${point.step}; steps are non-negative integers`,
      );
    }
  }
  if (points.length === 0) return 0;
  const { count } = await db.runMetric.createMany({
    data: points.map((p) => ({ runId, name: p.name, step: p.step, value: p.value })),
    skipDuplicates: true,
  });
  return count;
}

export async function listRunMetrics(db: Db, runId: string, name?: string): Promise<RunMetric[]> {
  return db.runMetric.findMany({
    where: { runId, ...(name ? { name } : {}) },
    orderBy: [{ name: 'asc' }, { step: 'asc' }],
  });
}
