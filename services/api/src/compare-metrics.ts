/**
 * Side-by-side comparison of two metric maps (evaluations of two models). Pure. A comparison
 * is only meaningful on the same data: `sameData` says whether both were scored on the same
 * dataset version and split.
 */
import type { EvaluationMetricComparison } from '@lathe/contract';

function numericEntries(metrics: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) return out;
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'number' && Number.isFinite(value)) out.set(key, value);
  }
  return out;
}

export function compareMetrics(a: unknown, b: unknown): EvaluationMetricComparison[] {
  const left = numericEntries(a);
  const right = numericEntries(b);
  const names = [...new Set([...left.keys(), ...right.keys()])].sort();
  return names.map((metric) => {
    const x = left.get(metric) ?? null;
    const y = right.get(metric) ?? null;
    const difference = x !== null && y !== null ? y - x : null;
    const relative = difference !== null && x !== null && x !== 0 ? difference / Math.abs(x) : null;
    return { metric, a: x, b: y, difference, relative };
  });
}
