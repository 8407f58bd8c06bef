/**
 * Bayesian comparison of means (revenue per unit, order value) under a flat prior: by the central limit
 * theorem the posterior of the true difference D is N(μ, σ²) with μ the observed difference and σ its
 * standard error (the normal-normal model of C. Stucchio 2015, "Bayesian A/B testing at VWO", and of
 * GrowthBook's gbstats with an uninformative prior).
 *
 *   P(D > 0) = Φ(μ/σ)
 *   E[max(−D, 0)] = σ φ(μ/σ) − μ Φ(−μ/σ)   (expected loss of shipping the treatment)
 *   E[max(D, 0)]  = σ φ(μ/σ) + μ Φ(μ/σ)    (expected loss of keeping the control)
 *
 * the partial expectations of a normal variable. Checked against scipy.stats.norm and
 * scipy.integrate.quad in normal-posterior.test.ts.
 *
 * Degenerate inputs: σ = 0 is a point mass at μ (P = 1, 0 or ½ by the sign of μ; losses max(∓μ, 0));
 * σ = +∞ (no information) gives P = ½ and infinite losses. A negative or NaN standard error, or a
 * non-finite difference, throws a RangeError.
 */
import { normalCdf, normalPdf } from './normal-distribution.ts';

export function normalComparison(input: { difference: number; standardError: number }): {
  probabilityPositive: number;
  expectedLossIfChooseTreatment: number;
  expectedLossIfChooseControl: number;
} {
  const { difference: mu, standardError: sigma } = input;
  if (!Number.isFinite(mu)) throw new RangeError(`difference must be finite, got ${mu}`);
  if (!(sigma >= 0)) throw new RangeError(`standard error must be ≥ 0, got ${sigma}`);
  if (sigma === 0) {
    return {
      probabilityPositive: mu > 0 ? 1 : mu < 0 ? 0 : 0.5,
      expectedLossIfChooseTreatment: Math.max(-mu, 0),
      expectedLossIfChooseControl: Math.max(mu, 0),
    };
  }
  if (sigma === Infinity) {
    return {
      probabilityPositive: 0.5,
      expectedLossIfChooseTreatment: Infinity,
      expectedLossIfChooseControl: Infinity,
    };
  }
  const z = mu / sigma;
  const density = sigma * normalPdf(z);
  return {
    probabilityPositive: normalCdf(z),
    // Both partial expectations are non-negative; rounding in the difference can leave −1 ulp.
    expectedLossIfChooseTreatment: Math.max(0, density - mu * normalCdf(-z)),
    expectedLossIfChooseControl: Math.max(0, density + mu * normalCdf(z)),
  };
}
