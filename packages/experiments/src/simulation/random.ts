/**
 * Seeded random numbers for the A/B simulations: a small fast generator and the exact samplers the
 * simulator draws traffic and outcomes with. Nothing here allocates per draw.
 *
 * - Generator: xoshiro128** (D. Blackman, S. Vigna 2018, "Scrambled linear pseudorandom number
 *   generators"), 128 bits of state, period 2^128 − 1, seeded through splitmix32 so that nearby seeds
 *   (test 0, 1, 2, …) give unrelated streams. `uniform()` has 32-bit resolution, in the open interval
 *   (0, 1): plenty for simulated traffic, and it never returns 0 (logs of it stay finite).
 * - Normal: the ziggurat of G. Marsaglia & W. W. Tsang 2000 ("The ziggurat method for generating
 *   random variables", J. Statist. Software 5(8)), 128 strips, exact (the wedges and the tail by
 *   rejection). As J. A. Doornik 2005 ("An improved ziggurat method…") points out, the original takes
 *   the strip index from the low bits of the same integer that gives the value; here the value uses
 *   only the 25 bits above the index, so the two are independent.
 * - Gamma: Marsaglia & Tsang 2000 ("A simple method for generating gamma variables", ACM TOMS 26(3)),
 *   exact, with the U^(1/k) boost for shape < 1. χ²(k) = 2·Gamma(k/2).
 * - Poisson: inversion by sequential search below mean 10; above, Hörmann's PTRS (W. Hörmann 1993,
 *   "The transformed rejection method for generating Poisson random variables", Insurance:
 *   Mathematics and Economics 12) — exact, O(1) expected, as numpy's random_poisson_ptrs.
 * - Binomial: inversion (BINV, Kachitvichyanukul & Schmeiser 1988) while n·min(p, 1−p) < 10; above,
 *   Hörmann's BTRS (W. Hörmann 1993, "The generation of binomial random variates", J. Statist.
 *   Comput. Simul. 46) — exact (transformed rejection with squeeze, no normal approximation), O(1)
 *   expected, as TensorFlow's and JAX's binomial samplers.
 * - Lognormal with a given mean and coefficient of variation: exp(μ + σZ), σ² = ln(1 + cv²),
 *   μ = ln(mean) − σ²/2.
 * - Bivariate-normal sufficient statistics of n units (Σx, Σx², Σy, Σy², Σxy) in O(1) by Bartlett's
 *   decomposition of the Wishart scatter matrix (M. S. Bartlett 1933; see e.g. Anderson, "An
 *   Introduction to Multivariate Statistical Analysis", 3rd ed., §7.2): for n draws from N(μ, Σ) with
 *   Σ = L Lᵀ, the mean is μ + L z/√n and, independently of it, the centred scatter matrix is
 *   L A Aᵀ Lᵀ with A lower triangular, A₁₁² ~ χ²(n−1), A₂₂² ~ χ²(n−2), A₂₁ ~ N(0, 1) — exactly the
 *   distribution of the per-unit sums, for the cost of five draws whatever n is.
 */

const TWO_PI = 2 * Math.PI;
const INV_2_32 = 1 / 4294967296;

/** splitmix32 step: the seed expander (also used to derive stream seeds). */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seed for stream `stream` of test `index` under a case's `seed` (all 32-bit integers). */
export function deriveSeed(seed: number, index: number, stream = 0): number {
  return splitmix32(splitmix32(splitmix32(seed >>> 0) ^ (index >>> 0)) ^ Math.imul(stream + 1, 0x27d4eb2f));
}

const LOG_FACTORIAL_TABLE_SIZE = 256;
const LOG_FACTORIAL = new Float64Array(LOG_FACTORIAL_TABLE_SIZE);
for (let k = 2; k < LOG_FACTORIAL_TABLE_SIZE; k++) LOG_FACTORIAL[k] = LOG_FACTORIAL[k - 1]! + Math.log(k);
const HALF_LOG_TWO_PI = 0.5 * Math.log(TWO_PI);

/** ln k! — a table below 256, above it Stirling's series (error < 1e-15 there). */
export function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE_SIZE) return LOG_FACTORIAL[k]!;
  const x = k + 1;
  const r = 1 / x;
  const r2 = r * r;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    HALF_LOG_TWO_PI +
    r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 - r2 / 1680)))
  );
}

// Ziggurat tables (Marsaglia & Tsang's zigset for 128 strips): K the integer acceptance bounds, W the
// scale from a signed 32-bit integer to the strip's width, F the density at each strip's edge.
const ZIGGURAT_R = 3.442619855899;
const ZIGGURAT_K = new Float64Array(128);
const ZIGGURAT_W = new Float64Array(128);
const ZIGGURAT_F = new Float64Array(128);
{
  const m = 2147483648; // 2^31
  const v = 9.91256303526217e-3;
  let d = ZIGGURAT_R;
  let t = d;
  const q = v / Math.exp(-0.5 * d * d);
  ZIGGURAT_K[0] = (d / q) * m;
  ZIGGURAT_K[1] = 0;
  ZIGGURAT_W[0] = q / m;
  ZIGGURAT_W[127] = d / m;
  ZIGGURAT_F[0] = 1;
  ZIGGURAT_F[127] = Math.exp(-0.5 * d * d);
  for (let i = 126; i >= 1; i--) {
    d = Math.sqrt(-2 * Math.log(v / d + Math.exp(-0.5 * d * d)));
    ZIGGURAT_K[i + 1] = (d / t) * m;
    t = d;
    ZIGGURAT_F[i] = Math.exp(-0.5 * d * d);
    ZIGGURAT_W[i] = d / m;
  }
}

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    this.s0 = x = splitmix32(x);
    this.s1 = x = splitmix32(x);
    this.s2 = x = splitmix32(x);
    this.s3 = splitmix32(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the one forbidden state
  }

  /** Next 32 random bits (xoshiro128**), as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform on (0, 1), 32-bit resolution, never 0 or 1. */
  uniform(): number {
    return (this.nextUint32() + 0.5) * INV_2_32;
  }

  /** Standard normal (ziggurat). */
  normal(): number {
    for (;;) {
      const u = this.nextUint32();
      const strip = u & 127;
      const hz = (u & ~127) | 0; // signed; the low 7 bits (the strip) left out of the value
      if (Math.abs(hz) < ZIGGURAT_K[strip]!) return hz * ZIGGURAT_W[strip]!;
      if (strip === 0) {
        // The tail beyond r, by Marsaglia's exponential rejection.
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uniform()) / ZIGGURAT_R;
          y = -Math.log(this.uniform());
        } while (y + y < x * x);
        return hz > 0 ? ZIGGURAT_R + x : -ZIGGURAT_R - x;
      }
      const x = hz * ZIGGURAT_W[strip]!;
      const f0 = ZIGGURAT_F[strip]!;
      if (f0 + this.uniform() * (ZIGGURAT_F[strip - 1]! - f0) < Math.exp(-0.5 * x * x)) return x;
    }
  }

  /** Gamma(shape, 1) by Marsaglia & Tsang. */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** χ²(k); 0 for k = 0. */
  chiSquare(k: number): number {
    return k > 0 ? 2 * this.gamma(0.5 * k) : 0;
  }

  /** Lognormal with the given mean and coefficient of variation (sd / mean). */
  lognormal(mean: number, cv: number): number {
    const s2 = Math.log1p(cv * cv);
    return Math.exp(Math.log(mean) - 0.5 * s2 + Math.sqrt(s2) * this.normal());
  }

  /** Poisson(mean): inversion below 10, PTRS above. */
  poisson(mean: number): number {
    if (!(mean >= 0) || !Number.isFinite(mean))
      throw new RangeError(`Poisson mean must be finite and ≥ 0, got ${mean}`);
    if (mean === 0) return 0;
    if (mean < 10) {
      let k = 0;
      let p = Math.exp(-mean);
      let u = this.uniform();
      while (u > p) {
        u -= p;
        k++;
        p *= mean / k;
        if (p === 0) break; // u left in rounding noise of the tail
      }
      return k;
    }
    const slam = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
        -mean + k * logMean - logFactorial(k)
      )
        return k;
    }
  }

  /** Binomial(n, p): inversion while n·min(p, 1−p) < 10, BTRS above. */
  binomial(n: number, p: number): number {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`binomial n must be a non-negative integer, got ${n}`);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial p must be in [0, 1], got ${p}`);
    if (n === 0 || p === 0) return 0;
    if (p === 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    if (n * p < 10) return this.binomialInversion(n, p);
    return this.binomialBtrs(n, p);
  }

  private binomialInversion(n: number, p: number): number {
    const q = 1 - p;
    const s = p / q;
    const a = (n + 1) * s;
    for (;;) {
      let r = Math.pow(q, n);
      let u = this.uniform();
      let x = 0;
      while (u > r) {
        u -= r;
        x++;
        if (x > n) break; // rounding left u above the whole mass: draw again
        r *= a / x - s;
      }
      if (x <= n) return x;
    }
  }

  private binomialBtrs(n: number, p: number): number {
    const q = 1 - p;
    const spq = Math.sqrt(n * p * q);
    const b = 1.15 + 2.53 * spq;
    const a = -0.0873 + 0.0248 * b + 0.01 * p;
    const c = n * p + 0.5;
    const vr = 0.92 - 4.2 / b;
    const alpha = (2.83 + 5.1 / b) * spq;
    const lpq = Math.log(p / q);
    const m = Math.floor((n + 1) * p);
    const h = logFactorial(m) + logFactorial(n - m);
    for (;;) {
      const u = this.uniform() - 0.5;
      let v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      if (k < 0 || k > n) continue;
      if (us >= 0.07 && v <= vr) return k;
      v = Math.log((v * alpha) / (a / (us * us) + b));
      if (v <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
    }
  }

  /**
   * Adds to `out` the sufficient statistics of n independent (x, y) ~ N((μx, μy), Σ) with standard
   * deviations σx, σy and correlation ρ, drawn exactly via Bartlett's decomposition (header).
   * out: [Σx, Σx², Σy, Σy², Σxy].
   */
  addBivariateNormalSums(
    out: Float64Array,
    n: number,
    meanX: number,
    sdX: number,
    meanY: number,
    sdY: number,
    correlation: number,
  ): void {
    if (n <= 0) return;
    const l11 = sdX;
    const l21 = correlation * sdY;
    const l22 = sdY * Math.sqrt(Math.max(0, 1 - correlation * correlation));
    const rootN = Math.sqrt(n);
    const z1 = this.normal();
    const z2 = this.normal();
    const mx = meanX + (l11 * z1) / rootN;
    const my = meanY + (l21 * z1 + l22 * z2) / rootN;
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    if (n >= 2) {
      const c1 = Math.sqrt(this.chiSquare(n - 1));
      const c2 = Math.sqrt(this.chiSquare(n - 2));
      const z3 = this.normal();
      // M = A Aᵀ = [[c1², c1 z3], [c1 z3, z3² + c2²]]; S = L M Lᵀ.
      const m11 = c1 * c1;
      const m12 = c1 * z3;
      const m22 = z3 * z3 + c2 * c2;
      sxx = l11 * l11 * m11;
      sxy = l11 * (l21 * m11 + l22 * m12);
      syy = l21 * l21 * m11 + 2 * l21 * l22 * m12 + l22 * l22 * m22;
    }
    out[0]! += n * mx;
    out[1]! += sxx + n * mx * mx;
    out[2]! += n * my;
    out[3]! += syy + n * my * my;
    out[4]! += sxy + n * mx * my;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
