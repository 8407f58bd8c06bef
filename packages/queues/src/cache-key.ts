/**
 * Stage caching, as Kubeflow Pipelines does it: a stage's cache key is the sha256 of its inputs
 * (dataset content hash, hyperparameters, code version); a successful earlier execution with the
 * same key is reused instead of running again. Keys hash canonical JSON (sorted object keys),
 * so {a,b} and {b,a} hash alike.
 */
import { createHash } from 'node:crypto';
import type { Stage } from '@lathe/registry';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function stageCacheKey(stage: Stage, codeVersion: string, inputs: unknown): string {
  return createHash('sha256').update(canonicalJson({ stage, codeVersion, inputs })).digest('hex');
}
