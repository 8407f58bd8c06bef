/**
 * Curve point lists for the dashboard. A ROC curve over 100k rows has up to 100k points; the
 * dashboard draws at most a few hundred. Downsampling uses Largest-Triangle-Three-Buckets
 * (Steinarsson 2013, "Downsampling Time Series for Visual Representation", ch. 4): it keeps the
 * first and last points and, per bucket, the point that forms the largest triangle with its
 * neighbours, so corners (where the operating points are) survive and straight runs thin out.
 */
import { ValidationError } from '@lathe/core';

export interface CurvePoint {
  readonly x: number;
  readonly y: number;
  /** The score threshold of this point, when the curve has one. */
  readonly threshold?: number;
}

export const MAX_CURVE_POINTS = 200;

export function downsampleCurve(points: readonly CurvePoint[], maxPoints = MAX_CURVE_POINTS): CurvePoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 3)
    throw new ValidationError(`a downsampled curve needs at least 3 points, got ${maxPoints}`);
  if (points.length <= maxPoints) return [...points];
  const out: CurvePoint[] = [points[0]!];
  const bucketSize = (points.length - 2) / (maxPoints - 2);
  let previous = points[0]!;
  for (let b = 0; b < maxPoints - 2; b++) {
    const start = Math.floor(b * bucketSize) + 1;
    const end = Math.floor((b + 1) * bucketSize) + 1;
    // Mean of the next bucket (or the last point) is the third corner of the triangle.
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((b + 2) * bucketSize) + 1, points.length);
    let avgX = 0;
    let avgY = 0;
    const nextCount = Math.max(nextEnd - nextStart, 1);
    for (let i = nextStart; i < nextStart + nextCount; i++) {
      const p = points[Math.min(i, points.length - 1)]!;
      avgX += p.x;
      avgY += p.y;
    }
    avgX /= nextCount;
    avgY /= nextCount;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const p = points[i]!;
      const area = Math.abs(
        (previous.x - avgX) * (p.y - previous.y) - (previous.x - p.x) * (avgY - previous.y),
      );
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    previous = points[best]!;
    out.push(previous);
  }
  out.push(points[points.length - 1]!);
  return out;
}

/** Zips parallel arrays into points; non-finite thresholds are left out (JSON has no Infinity). */
export function toCurvePoints(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  thresholds?: ArrayLike<number>,
): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (let i = 0; i < x.length; i++) {
    const t = thresholds?.[i];
    points.push(
      t !== undefined && Number.isFinite(t)
        ? { x: x[i] as number, y: y[i] as number, threshold: t }
        : { x: x[i] as number, y: y[i] as number },
    );
  }
  return points;
}
