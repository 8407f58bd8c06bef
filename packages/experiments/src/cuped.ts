/**
 * CUPED, variance reduction with a pre-experiment covariate (A. Deng, Y. Xu, R. Kohavi, T. Walker 2013,
 * "Improving the sensitivity of online controlled experiments by utilizing pre-experiment data",
 * WSDM): compare Y − θ(X − E X) instead of Y, with θ = cov(X, Y) / var(X). The covariate is measured
 * before assignment, so the adjustment is unbiased for the treatment effect whatever θ is, and
 * Var(Y − θX) = var(Y) − 2θ cov(X, Y) + θ² var(X) is smallest at that θ.
 *
 * Choices (the reference in reference/generate_sequential.py matches them exactly):
 * - θ is pooled over both arms with within-arm centring, θ = (S_xy,c + S_xy,t) / (S_xx,c + S_xx,t)
 *   with S_xy = Σxy − n x̄ ȳ: the slope statsmodels' OLS of y on x with an arm dummy gives. Centring
 *   within arms keeps a treatment effect on Y out of θ (a single pooled regression would read the
 *   effect as covariance whenever the arms' covariate means differ by chance).
 * - Adjusted arm means ȳ_a − θ(x̄_a − x̄), with x̄ the covariate mean over both arms, so that the
 *   adjusted means stay on the metric's own scale.
 * - Per-arm adjusted variance var(y) − 2θ cov(x, y) + θ² var(x), all with n − 1 denominators (the
 *   sample variance of y − θx); the difference's variance Σ_a var_a / n_a treats θ as known, as Deng
 *   et al. do (its estimation error is O(1/n) relative).
 *
 * Degenerate inputs (never NaN): θ = 0, no adjustment, when var(x) = 0 (a constant covariate; a
 * centred sum below 1e-12 of the raw sum of squares counts as 0, since it is cancellation noise). An
 * empty arm has mean 0; an arm with fewer than 2 units has no variance estimate, so the variances are
 * +∞ (no information; the mSPRT then reports p = 1). The variance reduction is 0 whenever the
 * unadjusted variance is 0 or infinite.
 */

export interface CovariateArm {
  units: number;
  sum: number;
  sumSquares: number;
  covariateSum: number;
  covariateSumSquares: number;
  crossSum: number;
}

export function cupedComparison(
  control: CovariateArm,
  treatment: CovariateArm,
): {
  theta: number;
  controlMean: number;
  treatmentMean: number;
  difference: number;
  variance: number;
  unadjustedVariance: number;
  varianceReduction: number;
} {
  assertArm(control, 'control');
  assertArm(treatment, 'treatment');
  const c = centredSums(control);
  const t = centredSums(treatment);
  const sxx = c.sxx + t.sxx;
  const theta = sxx > 0 ? (c.sxy + t.sxy) / sxx : 0;
  const units = control.units + treatment.units;
  const pooledCovariateMean = units > 0 ? (control.covariateSum + treatment.covariateSum) / units : 0;
  const controlMean = c.meanY - theta * (c.meanX - pooledCovariateMean);
  const treatmentMean = t.meanY - theta * (t.meanX - pooledCovariateMean);
  const variance = meanVariance(c, theta) + meanVariance(t, theta);
  const unadjustedVariance = meanVariance(c, 0) + meanVariance(t, 0);
  const varianceReduction =
    unadjustedVariance > 0 && Number.isFinite(unadjustedVariance) ? 1 - variance / unadjustedVariance : 0;
  return {
    theta,
    controlMean,
    treatmentMean,
    difference: treatmentMean - controlMean,
    variance,
    unadjustedVariance,
    varianceReduction,
  };
}

interface CentredSums {
  n: number;
  meanY: number;
  meanX: number;
  syy: number;
  sxx: number;
  sxy: number;
}

function centredSums(arm: CovariateArm): CentredSums {
  const n = arm.units;
  if (n === 0) return { n, meanY: 0, meanX: 0, syy: 0, sxx: 0, sxy: 0 };
  const meanY = arm.sum / n;
  const meanX = arm.covariateSum / n;
  const syy = Math.max(0, arm.sumSquares - arm.sum * meanY);
  let sxx = Math.max(0, arm.covariateSumSquares - arm.covariateSum * meanX);
  // Σx² − n x̄² of a constant covariate is rounding noise, not variance.
  if (sxx <= 1e-12 * arm.covariateSumSquares) sxx = 0;
  const sxy = sxx > 0 ? arm.crossSum - arm.covariateSum * meanY : 0;
  return { n, meanY, meanX, syy, sxx, sxy };
}

/** Variance of the arm's adjusted mean: the sample variance of y − θx over n. */
function meanVariance({ n, syy, sxx, sxy }: CentredSums, theta: number): number {
  if (n < 2) return Infinity;
  return Math.max(0, syy - 2 * theta * sxy + theta * theta * sxx) / (n - 1) / n;
}

function assertArm(arm: CovariateArm, name: string): void {
  if (!Number.isInteger(arm.units) || arm.units < 0) {
    throw new RangeError(`${name} units must be a non-negative integer, got ${arm.units}`);
  }
  for (const key of ['sum', 'sumSquares', 'covariateSum', 'covariateSumSquares', 'crossSum'] as const) {
    if (!Number.isFinite(arm[key])) throw new RangeError(`${name}.${key} must be finite, got ${arm[key]}`);
  }
}
