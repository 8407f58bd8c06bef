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

/**
 * Versions of the hash, as GrowthBook's SDK numbers them. A test stores the version it was
 * created with (AbTest.hashVersion), so changing the default can never reshuffle the units of a
 * running test.
 */
export const HASH_VERSIONS = [1, 2] as const;
export type HashVersion = (typeof HASH_VERSIONS)[number];
export const CURRENT_HASH_VERSION: HashVersion = 2;

/**
 * The unit's bucket in [0, 1). v2: fnv1a32(String(fnv1a32(salt + unit))) % 10,000 / 10,000;
 * v1 (GrowthBook's first): fnv1a32(unit + salt) % 1,000 / 1,000.
 */
export function bucketOf(salt: string, unitId: string, version: number = CURRENT_HASH_VERSION): number {
  if (version === 2) return (fnv1a32(String(fnv1a32(salt + unitId))) % BUCKETS) / BUCKETS;
  if (version === 1) return (fnv1a32(unitId + salt) % 1000) / 1000;
  throw new RangeError(`unknown assignment hash version ${version} (known: ${HASH_VERSIONS.join(', ')})`);
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
  if (!(total > 0) || weights.some((w) => !(w >= 0)))
    throw new RangeError('variant weights must be ≥ 0 and sum to > 0');
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
export function assignVariant(
  salt: string,
  unitId: string,
  variants: VariantWeight[],
  coverage = 1,
  hashVersion: number = CURRENT_HASH_VERSION,
): string | null {
  const bucket = bucketOf(salt, unitId, hashVersion);
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

export interface AssignableTest<V extends AssignableVariant> {
  salt: string;
  variants: readonly V[];
  /** Share of all units in the test (default 1); units outside it are not in the test. */
  coverage?: number;
  hashVersion?: number;
}

/**
 * The variant a unit gets in a test, or null when the unit is outside the test's coverage.
 * Variants are laid out in one fixed order (the control first, then by name) whatever order
 * the caller holds them in, so serving, the event intake and anyone else asking agree on every
 * unit. As coverage grows, units already in keep their variant (bucketRanges).
 */
export function variantOfUnit<V extends AssignableVariant>(
  test: AssignableTest<V>,
  unitId: string,
): V | null {
  const ordered = [...test.variants].sort(
    (a, b) => Number(b.isControl) - Number(a.isControl) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const name = assignVariant(
    test.salt,
    unitId,
    ordered,
    test.coverage ?? 1,
    test.hashVersion ?? CURRENT_HASH_VERSION,
  );
  return ordered.find((v) => v.name === name) ?? null;
}
