/**
 * Deterministic assignment of a unit (a user, a session) to a variant, as GrowthBook does:
 * hash (salt, unit id) into one of 10,000 buckets with FNV-1a, and give each variant a range of
 * buckets proportional to its weight. The same unit always lands in the same variant for the
 * life of the test (the salt is fixed at creation), without storing anything.
 *
 * Reference: GrowthBook SDK `hash()` v2 = fnv1a32(String(fnv1a32(seed + value))) % 10000 / 10000,
 * and `getBucketRanges(n, coverage, weights)`; the double hash removes the correlation between
 * similar ids that a single FNV pass leaves.
 */
export const BUCKETS = 10_000;

/** FNV-1a, 32-bit, over UTF-16 code units (as GrowthBook's JavaScript SDK). */
export function fnv1a32(input: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    hash ^= input.charCodeAt(i);
    hash += (hash << 1) + (hash << 4) + (hash << 7) + (hash << 8) + (hash << 24);
  }
  return hash >>> 0;
}

/** A number in [0, 1) with 4 decimal places: the unit's bucket / 10,000. */
export function bucketOf(salt: string, unitId: string): number {
  return (fnv1a32(String(fnv1a32(salt + unitId))) % BUCKETS) / BUCKETS;
}

export interface VariantWeight {
  name: string;
  weight: number;
}

/**
 * Bucket ranges [start, end) per variant. `coverage` (0..1) is the share of all units in the
 * test; each range starts where it would at full coverage, so raising coverage only adds
 * units and never moves an included unit to another variant.
 */
export function bucketRanges(weights: number[], coverage = 1): Array<[number, number]> {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0) || weights.some((w) => !(w >= 0))) throw new RangeError('variant weights must be ≥ 0 and sum to > 0');
  const clampedCoverage = Math.min(1, Math.max(0, coverage));
  let cumulative = 0;
  return weights.map((weight) => {
    const start = cumulative;
    const share = weight / total;
    cumulative += share;
    return [start, start + clampedCoverage * share];
  });
}

/** The variant of `unitId`, or null when the unit falls outside the covered traffic. */
export function assignVariant(salt: string, unitId: string, variants: VariantWeight[], coverage = 1): string | null {
  const bucket = bucketOf(salt, unitId);
  const ranges = bucketRanges(
    variants.map((v) => v.weight),
    coverage,
  );
  for (let i = 0; i < ranges.length; i++) {
    const [start, end] = ranges[i]!;
    if (bucket >= start && bucket < end) return variants[i]!.name;
  }
  return null;
}

export interface AssignableVariant {
  name: string;
  isControl: boolean;
  weight: number;
}

/**
 * The variant a unit gets in a test. Variants are laid out in one fixed order (the control
 * first, then by name) whatever order the caller holds them in, so serving, the event intake
 * and anyone else asking agree on every unit. Null only when the weights cover nothing.
 */
export function variantOfUnit<V extends AssignableVariant>(test: { salt: string; variants: readonly V[] }, unitId: string): V | null {
  const ordered = [...test.variants].sort((a, b) => Number(b.isControl) - Number(a.isControl) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const name = assignVariant(test.salt, unitId, ordered);
  return ordered.find((v) => v.name === name) ?? null;
}
