/**
 * Reading a zod object schema's own fields: the names valid at a path (for "unknown field …;
 * valid: …" messages) and the closest one to a misspelt name. zod 4 keeps wrappers (default,
 * optional, nullable) as `def.innerType`, objects' fields as `def.shape`.
 */
import type { z } from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  /** Unions: the options; discriminated ones also name the discriminator. */
  options?: z.ZodType[];
  discriminator?: string;
}
// Why the cast: zod 4 exposes a schema's definition at runtime but types it per schema class; only these fields are read.
const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let def = defOf(current); def.innerType !== undefined; def = defOf(current)) current = def.innerType;
  return current;
}

/**
 * The field names of the object at `path` inside `schema`, in declaration order; [] when there
 * is none. `input` (the value validated) picks a discriminated union's option, as zod did.
 */
export function fieldNamesAt(schema: z.ZodType, path: readonly PropertyKey[], input?: unknown): string[] {
  let current = resolve(unwrap(schema), input);
  let value = input;
  for (const key of path) {
    value = isRecord(value) ? value[String(key)] : undefined;
    const next = defOf(current).shape?.[String(key)];
    if (next === undefined) return [];
    current = resolve(unwrap(next), value);
  }
  return Object.keys(defOf(current).shape ?? {});
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A discriminated union's option for this value (the one its discriminator names). */
function resolve(schema: z.ZodType, value: unknown): z.ZodType {
  const def = defOf(schema);
  if (def.options === undefined || def.discriminator === undefined || !isRecord(value)) return schema;
  const tag = value[def.discriminator];
  const option = def.options.find((o) => {
    const literal = defOf(o).shape?.[def.discriminator!];
    return (
      literal !== undefined &&
      // Why the cast: a z.literal's runtime definition lists its values; its static type does not expose them.
      (literal as unknown as { def: { values?: unknown[] } }).def.values?.includes(tag)
    );
  });
  return option ?? schema;
}

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++)
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[y.length]!;
}

/** The valid name a misspelling most likely meant (within a third of its length), if any. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of valid) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
