/**
 * Planning: how many units an experiment needs.
 *
 * Fixed horizon: the two-sided normal (z-test) formula for a difference of two means with a common
 * per-unit standard deviation σ (e.g. S. Chow, J. Shao, H. Wang 2008, "Sample size calculations in
 * clinical research", 2nd ed., ch. 3),
 *
 *   N = (z_{1−α/2} + z_{power})² · σ² (1/r_c + 1/r_t) / δ²
 *
 * units in all, split by the shares r_c = 1 − r_t and r_t. Equal variances are assumed: σ is the
 * control's (for a proportion, √(p(1−p)) at the baseline rate), which slightly misstates the
 * treatment arm's variance when the effect moves it. Like the textbook formula, and unlike
 * statsmodels' NormalIndPower with alternative='two-sided', it ignores rejections in the wrong
 * direction (probability Φ(−2 z_{1−α/2} − z_{power}), ≈ 1e-6 at α = 0.05, power 0.8), so it asks for
 * a hair more units than statsmodels (2.4e-6 relative in that case). It equals statsmodels'
 * solve_power(alternative='larger', alpha=α/2) exactly, the reference it is checked against
 * (sample-size.test.ts).
 *
 * Sequential: the mSPRT confidence sequence (msprt.ts) is wider than a fixed-horizon interval, so a
 * monitored experiment needs more units for the same power. The plan is the smallest total N with
 *
 *   δ ≥ halfWidth_CS(V(N)) + z_{power} · √V(N),   V(N) = σ² (1/(N r_c) + 1/(N r_t)),
 *
 * i.e. at N the true effect clears the sequence's half-width by z_{power} standard errors, so that the
 * estimate lands outside it with probability `power`. This is conservative: it ignores the chance of
 * crossing earlier than N, which only adds power. The right side decreases in N (for power ≥ ½), so
 * the root is found by bisection on log N to full double precision (checked against
 * scipy.optimize.brentq on the same formula).
 *
 * Results are not rounded: round up (Math.ceil) when setting an enrolment target. Degenerate inputs:
 * σ = 0 needs 0 units; δ = 0 needs +∞ (the sign of δ is ignored). Out-of-range α, power or shares
 * throw a RangeError.
 */
import { confidenceSequenceHalfWidth } from './msprt.ts';
import { normalQuantile } from './normal-distribution.ts';

export interface FixedHorizonInput {
  /** Control mean; informational (the formula needs only σ and the absolute MDE). */
  baseline: number;
  /** Per-unit standard deviation; for a proportion √(p(1−p)) at the baseline. */
  standardDeviation: number;
  /** Absolute difference to detect. */
  minimumDetectableEffect: number;
  alpha: number;
  power: number;
  /** Share of units in the treatment arm, default 0.5. */
  treatmentShare?: number;
}

export function fixedHorizonUnitsPerArm(input: FixedHorizonInput): {
  control: number;
  treatment: number;
  total: number;
} {
  const { standardDeviation: sigma, alpha, power } = input;
  const delta = Math.abs(input.minimumDetectableEffect);
  const share = input.treatmentShare ?? 0.5;
  assertPlan(sigma, delta, alpha, power, share);
  let total: number;
  if (sigma === 0) total = 0;
  else if (delta === 0) total = Infinity;
  else {
    // z_{1−α/2} as −Φ⁻¹(α/2): the lower tail keeps full precision for small α.
    const z = -normalQuantile(alpha / 2) + normalQuantile(power);
    // A power at or below α/2 is had for free.
    total = z > 0 ? (z * z * sigma * sigma * (1 / (1 - share) + 1 / share)) / (delta * delta) : 0;
  }
  return { control: total * (1 - share), treatment: total * share, total };
}

export interface SequentialPowerInput {
  standardDeviation: number;
  minimumDetectableEffect: number;
  alpha: number;
  /** At least 0.5 (below it the criterion is not monotone in N). */
  power: number;
  /** τ² of the mSPRT that will monitor the experiment (see mixingVarianceForMde). */
  mixingVariance: number;
  treatmentShare?: number;
}

export function sequentialUnitsForPower(input: SequentialPowerInput): { total: number } {
  const { standardDeviation: sigma, alpha, power, mixingVariance } = input;
  const delta = Math.abs(input.minimumDetectableEffect);
  const share = input.treatmentShare ?? 0.5;
  assertPlan(sigma, delta, alpha, power, share);
  if (!(power >= 0.5)) throw new RangeError(`sequential planning needs power ≥ 0.5, got ${power}`);
  if (!(mixingVariance > 0) || !Number.isFinite(mixingVariance)) {
    throw new RangeError(`mixing variance must be finite and positive, got ${mixingVariance}`);
  }
  if (sigma === 0) return { total: 0 };
  if (delta === 0) return { total: Infinity };
  const zPower = normalQuantile(power);
  const unitVariance = (sigma * sigma) / (share * (1 - share)); // V(N) = unitVariance / N
  const gap = (n: number): number => {
    const variance = unitVariance / n;
    return (
      confidenceSequenceHalfWidth(variance, mixingVariance, alpha) + zPower * Math.sqrt(variance) - delta
    );
  };
  // Bracket the root from the fixed-horizon scale, then bisect on log N.
  let lo = unitVariance / (delta * delta);
  let hi = lo;
  while (gap(lo) < 0) lo /= 4;
  while (gap(hi) > 0) hi *= 4;
  for (let i = 0; i < 200 && hi / lo - 1 > 1e-15; i++) {
    const mid = Math.sqrt(lo * hi);
    if (gap(mid) > 0) lo = mid;
    else hi = mid;
  }
  return { total: hi };
}

function assertPlan(sigma: number, delta: number, alpha: number, power: number, share: number): void {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) {
    throw new RangeError(`standard deviation must be finite and ≥ 0, got ${sigma}`);
  }
  if (!Number.isFinite(delta)) throw new RangeError(`minimum detectable effect must be finite, got ${delta}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
  if (!(share > 0 && share < 1)) throw new RangeError(`treatment share must be in (0, 1), got ${share}`);
}
