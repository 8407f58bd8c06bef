/**
 * The mixture sequential probability ratio test (mSPRT) with a normal mixture, for an asymptotically
 * normal estimate of a difference θ: always-valid p-values and confidence sequences, which stay valid
 * however often the experiment is looked at and whenever it is stopped.
 *
 * R. Johari, L. Pekelis, D. Walsh 2017, "Peeking at A/B tests: why it matters, and what to do about
 * it", KDD; R. Johari, P. Koomen, L. Pekelis, D. Walsh 2022, "Always valid inference: continuous
 * monitoring of A/B tests", Operations Research 70(3). For an estimate θ̂ with variance V and the
 * mixing distribution θ ~ N(θ₀, τ²), the mixture likelihood ratio against H₀: θ = θ₀ is
 *
 *   Λ = √(V / (V + τ²)) · exp( τ² (θ̂ − θ₀)² / (2 V (V + τ²)) ),
 *
 * a non-negative martingale under H₀, so by Ville's inequality P(sup Λ ≥ 1/α) ≤ α. The p-value at a
 * look is min(1, 1/Λ); the always-valid p-value of the whole run is the running minimum over looks,
 * which the caller keeps (these functions are stateless). The confidence sequence is the set of θ₀
 * not rejected, {θ₀ : Λ(θ₀) < 1/α}, an interval around θ̂ of half-width
 *
 *   √( V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V)) ).
 *
 * Checked in msprt.test.ts against reference/sequential-reference.json, whose interval endpoints were
 * found independently by solving Λ(θ₀) = 1/α with scipy.optimize.brentq.
 *
 * Degenerate data: a variance that is 0, negative or not finite (no units yet, or all values equal,
 * so no standard error can be estimated), or an estimate that is not finite, carries no usable
 * information; the result is then p = 1, log Λ = 0, the interval (−∞, ∞), standard error +∞, never
 * significant (the estimate is returned as given). Configuration errors (τ² or
 * α out of range) throw a RangeError instead: they are bugs, not data.
 */

export interface SequentialResult {
  estimate: number;
  standardError: number;
  logLikelihoodRatio: number;
  /** always-valid p-value at this look: min(1, 1/Λ) */
  pValue: number;
  /** confidence sequence at 1−alpha */
  interval: [number, number];
  significant: boolean;
}

export interface SequentialInput {
  /** The estimate θ̂ of the difference (treatment − control). */
  estimate: number;
  /** Its variance V (the squared standard error). */
  variance: number;
  /** τ², the variance of the normal mixing distribution, on the scale of the difference. */
  mixingVariance: number;
  alpha: number;
}

/** The mSPRT of H₀: θ = nullValue (default 0) at one look, with its confidence sequence. */
export function msprt(input: SequentialInput & { nullValue?: number }): SequentialResult {
  const { estimate, variance, mixingVariance, alpha } = input;
  const nullValue = input.nullValue ?? 0;
  assertConfiguration(mixingVariance, alpha);
  if (!Number.isFinite(nullValue)) throw new RangeError(`nullValue must be finite, got ${nullValue}`);
  if (!hasInformation(estimate, variance)) {
    return {
      estimate,
      standardError: Infinity,
      logLikelihoodRatio: 0,
      pValue: 1,
      interval: [-Infinity, Infinity],
      significant: false,
    };
  }
  const logLikelihoodRatio = logMixtureLikelihoodRatio(estimate - nullValue, variance, mixingVariance);
  const pValue = Math.min(1, Math.exp(-logLikelihoodRatio));
  return {
    estimate,
    standardError: Math.sqrt(variance),
    logLikelihoodRatio,
    pValue,
    interval: confidenceSequence(input),
    significant: pValue < alpha,
  };
}

/** The confidence sequence {θ₀ : Λ(θ₀) < 1/α} at one look; (−∞, ∞) when the variance is degenerate. */
export function confidenceSequence(input: SequentialInput): [number, number] {
  const { estimate, variance, mixingVariance, alpha } = input;
  assertConfiguration(mixingVariance, alpha);
  if (!hasInformation(estimate, variance)) return [-Infinity, Infinity];
  const halfWidth = confidenceSequenceHalfWidth(variance, mixingVariance, alpha);
  return [estimate - halfWidth, estimate + halfWidth];
}

/**
 * Half-width of the confidence sequence for a variance V > 0 (exported for the planning functions,
 * which need it as a function of the sample size; it does not validate its arguments).
 */
export function confidenceSequenceHalfWidth(variance: number, mixingVariance: number, alpha: number): number {
  // V(V + τ²)/τ² = V(1 + V/τ²) and ln((V + τ²)/V) = log1p(τ²/V): no cancellation when V ≪ τ².
  return Math.sqrt(
    variance *
      (1 + variance / mixingVariance) *
      (2 * Math.log(1 / alpha) + Math.log1p(mixingVariance / variance)),
  );
}

/**
 * The default mixing variance for a minimum detectable effect: τ² = MDE², i.e. τ = MDE on the scale of
 * the difference. Johari et al. (2017, 2022) recommend matching τ to the effects one expects to detect
 * (in practice, to the spread of effects seen in past experiments). The reason is visible in the formula: for an estimate d, log Λ is largest over τ² at
 * τ² = d² − V, which is ≈ d² once the test is close to detecting (V ≪ d²). So τ² = MDE² makes the
 * test most sensitive exactly when the estimate sits at the effect the experiment was sized for.
 * The sign of the MDE is ignored; it must be finite and non-zero.
 */
export function mixingVarianceForMde(minimumDetectableEffect: number): number {
  if (!Number.isFinite(minimumDetectableEffect) || minimumDetectableEffect === 0) {
    throw new RangeError(
      `minimum detectable effect must be finite and non-zero, got ${minimumDetectableEffect}`,
    );
  }
  return minimumDetectableEffect * minimumDetectableEffect;
}

/**
 * One-sided non-inferiority at level α from the two-sided confidence sequence at 2α (no separate
 * one-sided test is needed). Why that is valid: the N(θ₀, τ²) mixture is the average of the two
 * half-normal mixtures, Λ = (Λ⁺ + Λ⁻)/2, each a test martingale. When the estimate lies above θ₀,
 * every θ in the lower half has likelihood ratio below 1, so Λ⁻ < 1 and Λ ≥ 1/(2α) forces
 * Λ⁺ > 1/α − 1. By Ville's inequality the one-sided error is therefore at most α/(1 − α), i.e. α up
 * to a factor 1/(1 − α) (0.0526 instead of 0.05).
 *
 * With `margin` ≥ 0 the largest acceptable harm:
 * - higher_is_better: breached when the upper end of CS(2α) < −margin (the metric is surely worse than
 *   the margin allows); confirmedNonInferior when the lower end > −margin. `bound` is the lower end.
 * - lower_is_better: breached when the lower end of CS(2α) > margin; confirmedNonInferior when the upper
 *   end < margin. `bound` is the upper end.
 * `bound` is thus the one-sided (1 − α) bound on the worst plausible effect. With a degenerate variance
 * the sequence is (−∞, ∞): neither breached nor confirmed, bound ∓∞.
 */
export function nonInferiority(
  input: SequentialInput & { margin: number; direction: 'higher_is_better' | 'lower_is_better' },
): { breached: boolean; confirmedNonInferior: boolean; bound: number } {
  const { margin, direction, alpha } = input;
  if (!(margin >= 0) || !Number.isFinite(margin)) {
    throw new RangeError(`margin must be finite and non-negative, got ${margin}`);
  }
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`one-sided alpha must be in (0, 0.5), got ${alpha}`);
  const [lower, upper] = confidenceSequence({ ...input, alpha: 2 * alpha });
  if (direction === 'higher_is_better') {
    return { breached: upper < -margin, confirmedNonInferior: lower > -margin, bound: lower };
  }
  return { breached: lower > margin, confirmedNonInferior: upper < margin, bound: upper };
}

/** log Λ for a deviation d = θ̂ − θ₀: −½ ln(1 + τ²/V) + τ² d² / (2 V (V + τ²)). */
function logMixtureLikelihoodRatio(deviation: number, variance: number, mixingVariance: number): number {
  return (
    -0.5 * Math.log1p(mixingVariance / variance) +
    (mixingVariance * deviation * deviation) / (2 * variance * (variance + mixingVariance))
  );
}

function hasInformation(estimate: number, variance: number): boolean {
  return Number.isFinite(estimate) && Number.isFinite(variance) && variance > 0;
}

function assertConfiguration(mixingVariance: number, alpha: number): void {
  if (!(mixingVariance > 0) || !Number.isFinite(mixingVariance)) {
    throw new RangeError(`mixing variance must be finite and positive, got ${mixingVariance}`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}
