/**
 * Bayesian comparison of two conversion rates with conjugate beta priors (Beta(1, 1), uniform, unless
 * configured): the posterior of an arm with n units and c conversions is Beta(a + c, b + n − c).
 *
 * - P(p_B > p_A) exactly, by Evan Miller's closed-form sum ("Formulas for Bayesian A/B testing", 2015,
 *   https://www.evanmiller.org/bayesian-ab-testing.html):
 *     P(p_B > p_A) = Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i) B(1 + i, β_B) B(α_A, β_A)),
 *   valid for integer α_B. Consecutive terms have the ratio
 *     (α_A + i)(β_B + i) / ((α_A + β_A + β_B + i)(1 + i)),
 *   so the sum costs one multiplication per term (one log-beta for the first), kept in a scaled form so
 *   that terms far below or above the double range neither underflow nor overflow.
 *   Used when α_B is an integer ≤ 50,000; else, when α_A is, as 1 − P(p_A > p_B) by the same sum.
 * - Otherwise (non-integer priors on both arms, or more than 50,000 conversions in both) by numerical
 *   integration of ∫ f_B(x) F_A(x) dx: adaptive 20-point Gauss–Legendre, starting from breakpoints
 *   at the posteriors' means ± 1, 2, 4, … 64 standard deviations, so that a posterior concentrated in
 *   a sliver of [0, 1] is not missed. The upper half is integrated in 1 − x, so that mass near 1 is
 *   not rounded away, and a power substitution at each end removes the integrable singularities of
 *   densities with a parameter below 1 (priors below ½ with no conversions, or all conversions).
 * - Expected loss exactly from P(·) (C. Stucchio 2015, "Bayesian A/B testing at VWO"): since
 *   x f_{α,β}(x) = α/(α+β) · f_{α+1,β}(x),
 *     E[max(p_B − p_A, 0)] = E[p_B] · P(p′_B > p_A) − E[p_A] · P(p_B > p′_A),
 *   with p′_B ~ Beta(α_B + 1, β_B) and p′_A ~ Beta(α_A + 1, β_A). No normal approximation anywhere.
 * - Credible intervals by inverting the regularized incomplete beta with bisection.
 *
 * Checked against scipy.integrate.quad of beta.pdf · beta.cdf and scipy.stats.beta.ppf in
 * beta-binomial.test.ts.
 */
import { logBeta, logBetaPdf, regularizedIncompleteBeta } from './special-functions.ts';

export interface BetaParameters {
  alpha: number;
  beta: number;
}

/** Most terms Evan Miller's sum is allowed before numerical integration takes over. */
const MAX_SUM_TERMS = 50_000;

/** P(p_B > p_A) for independent p_A ~ Beta(a.alpha, a.beta) and p_B ~ Beta(b.alpha, b.beta). */
export function probabilityBBeatsA(a: BetaParameters, b: BetaParameters): number {
  assertBeta(a, 'a');
  assertBeta(b, 'b');
  if (summable(b.alpha)) return millerSum(a, b);
  if (summable(a.alpha)) return Math.max(0, 1 - millerSum(b, a));
  return integrateBBeatsA(a, b);
}

/**
 * Expected loss of each choice: choosing A forgoes E[max(p_B − p_A, 0)], choosing B forgoes
 * E[max(p_A − p_B, 0)]. Rounding can leave a loss a few ulps below 0; it is clamped to 0.
 */
export function expectedLoss(a: BetaParameters, b: BetaParameters): { chooseA: number; chooseB: number } {
  assertBeta(a, 'a');
  assertBeta(b, 'b');
  const meanA = a.alpha / (a.alpha + a.beta);
  const meanB = b.alpha / (b.alpha + b.beta);
  const aPlus = { alpha: a.alpha + 1, beta: a.beta };
  const bPlus = { alpha: b.alpha + 1, beta: b.beta };
  const chooseA = meanB * probabilityBBeatsA(a, bPlus) - meanA * probabilityBBeatsA(aPlus, b);
  const chooseB = meanA * probabilityBBeatsA(b, aPlus) - meanB * probabilityBBeatsA(bPlus, a);
  return { chooseA: Math.max(0, chooseA), chooseB: Math.max(0, chooseB) };
}

/**
 * The posterior Beta(prior.alpha + conversions, prior.beta + units − conversions) of one arm, its mean
 * and 95% equal-tailed credible interval (scipy.stats.beta.ppf(0.025 / 0.975)). With no units the
 * posterior is the prior. Throws a RangeError unless 0 ≤ conversions ≤ units.
 */
export function conversionPosterior(
  arm: { units: number; conversions: number },
  prior: BetaParameters = { alpha: 1, beta: 1 },
): { alpha: number; beta: number; mean: number; interval: [number, number] } {
  const { units, conversions } = arm;
  if (!(units >= 0 && conversions >= 0 && conversions <= units) || !Number.isFinite(units)) {
    throw new RangeError(`need 0 ≤ conversions ≤ units, got ${conversions} of ${units}`);
  }
  assertBeta(prior, 'prior');
  const alpha = prior.alpha + conversions;
  const beta = prior.beta + units - conversions;
  return {
    alpha,
    beta,
    mean: alpha / (alpha + beta),
    interval: [betaQuantile(0.025, alpha, beta), betaQuantile(0.975, alpha, beta)],
  };
}

/** The p-quantile of Beta(alpha, beta), by bisection on I_x(alpha, beta) to full double precision. */
function betaQuantile(p: number, alpha: number, beta: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 1100; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (regularizedIncompleteBeta(mid, alpha, beta) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

function summable(alpha: number): boolean {
  return Number.isInteger(alpha) && alpha <= MAX_SUM_TERMS;
}

const RESCALE = 1e250;
const LOG_RESCALE = Math.log(RESCALE);

/** Evan Miller's sum for integer b.alpha, each term from the previous by its ratio. */
function millerSum(a: BetaParameters, b: BetaParameters): number {
  // First term: B(α_A, β_A + β_B) / B(α_A, β_A) (B(1, β_B) = 1/β_B cancels the 1/β_B).
  let logScale = logBeta(a.alpha, a.beta + b.beta) - logBeta(a.alpha, a.beta);
  let term = 1;
  let sum = 0;
  const tail = a.alpha + a.beta + b.beta;
  for (let i = 0; i < b.alpha; i++) {
    sum += term;
    term *= ((a.alpha + i) * (b.beta + i)) / ((tail + i) * (1 + i));
    // Terms may start far below the double range and grow by hundreds of orders of magnitude
    // before they peak: keep them as term · e^logScale.
    if (term > RESCALE) {
      term /= RESCALE;
      sum /= RESCALE;
      logScale += LOG_RESCALE;
    }
  }
  if (sum === 0) return 0;
  return Math.min(1, Math.exp(Math.log(sum) + logScale));
}

// 20-point Gauss–Legendre nodes and weights on [−1, 1], found once by Newton's method on P₂₀.
const GAUSS_POINTS = 20;
const gaussNodes = new Float64Array(GAUSS_POINTS);
const gaussWeights = new Float64Array(GAUSS_POINTS);
for (let i = 0; i < GAUSS_POINTS / 2; i++) {
  let x = Math.cos((Math.PI * (i + 0.75)) / (GAUSS_POINTS + 0.5));
  let derivative = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    // Legendre recurrence: (k + 1) P_{k+1} = (2k + 1) x P_k − k P_{k−1}.
    let p0 = 1;
    let p1 = x;
    for (let k = 1; k < GAUSS_POINTS; k++) {
      const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
      p0 = p1;
      p1 = p2;
    }
    derivative = (GAUSS_POINTS * (x * p1 - p0)) / (x * x - 1);
    const step = p1 / derivative;
    x -= step;
    if (Math.abs(step) < 1e-16) break;
  }
  const weight = 2 / ((1 - x * x) * derivative * derivative);
  gaussNodes[i] = -x;
  gaussNodes[GAUSS_POINTS - 1 - i] = x;
  gaussWeights[i] = weight;
  gaussWeights[GAUSS_POINTS - 1 - i] = weight;
}

function gaussLegendre(f: (x: number) => number, lo: number, hi: number): number {
  const half = 0.5 * (hi - lo);
  const centre = 0.5 * (hi + lo);
  let sum = 0;
  for (let i = 0; i < GAUSS_POINTS; i++) sum += gaussWeights[i]! * f(centre + half * gaussNodes[i]!);
  return sum * half;
}

const ABSOLUTE_TOLERANCE = 1e-15;
const RELATIVE_TOLERANCE = 1e-14;
const MAX_DEPTH = 60;
/** Bisections allowed per integral, so that a misbehaving integrand cannot recurse for ever. */
const MAX_BISECTIONS = 20_000;

/** Bisects [lo, hi] until a Gauss–Legendre estimate agrees with the sum over its two halves. */
function adaptiveGaussLegendre(
  f: (x: number) => number,
  lo: number,
  hi: number,
  whole: number,
  depth: number,
  budget: { bisections: number },
): number {
  const mid = 0.5 * (lo + hi);
  const left = gaussLegendre(f, lo, mid);
  const right = gaussLegendre(f, mid, hi);
  const refined = left + right;
  const error = Math.abs(refined - whole);
  if (
    !(error > Math.max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * Math.abs(refined))) ||
    depth >= MAX_DEPTH ||
    --budget.bisections <= 0
  ) {
    return refined;
  }
  return (
    adaptiveGaussLegendre(f, lo, mid, left, depth + 1, budget) +
    adaptiveGaussLegendre(f, mid, hi, right, depth + 1, budget)
  );
}

/** ∫₀^width g, substituting u = width · t^power when power > 1 (see integrateBBeatsA). */
function integrateFromZero(
  g: (u: number) => number,
  width: number,
  power: number,
  budget: { bisections: number },
): number {
  const piece =
    power > 1
      ? (t: number): number => {
          const tPowerMinusOne = Math.pow(t, power - 1);
          return g(width * tPowerMinusOne * t) * width * power * tPowerMinusOne;
        }
      : g;
  const to = power > 1 ? 1 : width;
  return adaptiveGaussLegendre(piece, 0, to, gaussLegendre(piece, 0, to), 0, budget);
}

function integrateBBeatsA(a: BetaParameters, b: BetaParameters): number {
  // P(p_B > p_A) = ∫ f_B(x) F_A(x) dx. Pieces below ½ are integrated in x; pieces above ½ in
  // y = 1 − x with the mirrored densities (f_B(1 − y) is the Beta(β_B, α_B) density at y), so that
  // points near 1 keep their full relative precision instead of rounding to 1.
  const inX = (x: number): number =>
    x > 0 ? Math.exp(logBetaPdf(x, b.alpha, b.beta)) * regularizedIncompleteBeta(x, a.alpha, a.beta) : 0;
  const inY = (y: number): number =>
    y > 0
      ? Math.exp(logBetaPdf(y, b.beta, b.alpha)) * (1 - regularizedIncompleteBeta(y, a.beta, a.alpha))
      : 0;
  // Near x = 0 the integrand behaves as x^(α_A + α_B − 1), near y = 0 as y^(β_B − 1): singular when the
  // exponent is negative (priors below ½ and no conversions, or all conversions). Substituting
  // u = c t^m on the end pieces, with m (exponent + 1) ≥ 2, turns that into a smooth t^(≥ 1), which
  // Gauss–Legendre handles; bisection alone would converge far too slowly.
  const leftPower = Math.max(1, 2 / (a.alpha + b.alpha));
  const rightPower = Math.max(1, 2 / b.beta);
  const breaks = [...new Set([0, 0.5, 1, ...breakpoints(b), ...breakpoints(a)])].sort((x, y) => x - y);
  const budget = { bisections: MAX_BISECTIONS };
  let total = 0;
  for (let i = 1; i < breaks.length; i++) {
    const lo = breaks[i - 1]!;
    const hi = breaks[i]!;
    if (hi <= 0.5) {
      total +=
        lo === 0
          ? integrateFromZero(inX, hi, leftPower, budget)
          : adaptiveGaussLegendre(inX, lo, hi, gaussLegendre(inX, lo, hi), 0, budget);
    } else {
      const [yLo, yHi] = [1 - hi, 1 - lo];
      total +=
        yLo === 0
          ? integrateFromZero(inY, yHi, rightPower, budget)
          : adaptiveGaussLegendre(inY, yLo, yHi, gaussLegendre(inY, yLo, yHi), 0, budget);
    }
  }
  return Math.min(1, Math.max(0, total));
}

/** Mean ± 0, 1, 2, 4, … 64 standard deviations of a beta distribution, inside (0, 1). */
function breakpoints({ alpha, beta }: BetaParameters): number[] {
  const total = alpha + beta;
  const mean = alpha / total;
  const sd = Math.sqrt((alpha * beta) / (total * total * (total + 1)));
  const points = [mean];
  for (let k = 1; k <= 64; k *= 2) points.push(mean - k * sd, mean + k * sd);
  return points.filter((x) => x > 0 && x < 1);
}

function assertBeta({ alpha, beta }: BetaParameters, name: string): void {
  if (!(alpha > 0 && beta > 0) || !Number.isFinite(alpha) || !Number.isFinite(beta)) {
    throw new RangeError(`${name} needs finite positive beta parameters, got (${alpha}, ${beta})`);
  }
}
