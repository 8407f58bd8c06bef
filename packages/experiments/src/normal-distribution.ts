/**
 * The standard normal distribution: density, cumulative distribution and quantile, accurate to a few
 * ulps in both tails (jStat's erfc loses relative accuracy past |z| ≈ 5, which matters for
 * always-valid p-values and expected losses far from the mean).
 *
 * Φ(z) = ½ erfc(−z/√2) and erfc(t) = Q(½, t²), the regularized upper incomplete gamma, evaluated by its
 * power series below t² = 3/2 and by its continued fraction above (Numerical Recipes, Press et al.,
 * 3rd ed. 2007, §6.2, eqs. 6.2.5 and 6.2.7, the fraction by the modified Lentz method). The quantile
 * starts from Abramowitz & Stegun 26.2.23 (error < 4.5e-4) and is polished by Halley's method on Φ,
 * which converges cubically, so three steps reach double precision.
 *
 * Checked against scipy.stats.norm in normal-distribution.test.ts.
 */

const INV_SQRT_TWO_PI = 0.3989422804014327; // 1/√(2π)
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
const LENTZ_TINY = 1e-300;

/** The standard normal density φ(z). */
export function normalPdf(z: number): number {
  return INV_SQRT_TWO_PI * Math.exp(-0.5 * z * z);
}

/** The standard normal distribution function Φ(z) (scipy.stats.norm.cdf). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const x = 0.5 * z * z; // erfc(|z|/√2) = Q(½, z²/2)
  // Always compute the smaller tail directly, so that it keeps full relative precision.
  const tail = 0.5 * upperGammaHalf(x);
  return z < 0 ? tail : 1 - tail;
}

/** Q(½, x) = erfc(√x) for x ≥ 0. */
function upperGammaHalf(x: number): number {
  if (x === Infinity) return 0;
  if (x < 1.5) {
    // Series: P(a, x) = e^−x x^a Σ xⁿ / (a (a+1) ⋯ (a+n)), with Γ(a) folded into the sum (a = ½).
    let term = 2; // 1 / a
    let sum = term;
    let denominator = 0.5;
    for (let n = 1; n < 200; n++) {
      denominator += 1;
      term *= x / denominator;
      sum += term;
      if (term < sum * Number.EPSILON) break;
    }
    return 1 - sum * Math.exp(-x) * Math.sqrt(x) * INV_SQRT_PI;
  }
  // Continued fraction for Q(a, x) (NR's gcf), a = ½.
  let b = x + 0.5;
  let c = 1 / LENTZ_TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - 0.5);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < LENTZ_TINY) d = LENTZ_TINY;
    c = b + an / c;
    if (Math.abs(c) < LENTZ_TINY) c = LENTZ_TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= Number.EPSILON) break;
  }
  return Math.exp(-x) * Math.sqrt(x) * INV_SQRT_PI * h;
}

/** The standard normal quantile Φ⁻¹(p) (scipy.stats.norm.ppf): −Infinity at 0, +Infinity at 1. */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // Work in the lower tail, where p is held with full relative precision (1 − p is exact for p ≥ ½).
  if (p > 0.5) return -lowerTailQuantile(1 - p);
  return lowerTailQuantile(p);
}

function lowerTailQuantile(p: number): number {
  // Abramowitz & Stegun 26.2.23.
  const t = Math.sqrt(-2 * Math.log(p));
  let z = -(
    t -
    (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)))
  );
  for (let i = 0; i < 4; i++) {
    // Halley: u = (Φ(z) − p) / φ(z); z ← z − u / (1 + z u / 2).
    const u = (normalCdf(z) - p) / normalPdf(z);
    const step = u / (1 + 0.5 * z * u);
    z -= step;
    if (Math.abs(step) <= 1e-16 * Math.abs(z)) break;
  }
  return z;
}
