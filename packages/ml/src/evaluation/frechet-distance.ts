/**
 * Fréchet distance between two samples of feature vectors, the formula of the FID (Heusel et al.
 * 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium"):
 * each sample is summarised by a Gaussian (mean μ, covariance Σ) and
 *
 *   d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^{1/2}),
 *
 * the squared 2-Wasserstein distance between the two Gaussians. It is 0 for identical samples and
 * grows smoothly as the samples part, so unlike the two-sample test's accuracy it does not saturate
 * and can rank two weak generators.
 *
 * This is not the Inception FID: the features here are not Inception-v3's pool3 activations but
 * whatever the caller passes (the evaluate stage passes `pooledPixelFeatures`, a fixed map that
 * needs no downloaded weights), so its values are not comparable with published FIDs, only
 * with each other on the same dataset and feature map.
 */

/** A feature sample: n rows of d features each (all rows one length). */
export type FeatureSample = ArrayLike<number>[];

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method (Golub &
 * Van Loan, "Matrix Computations", 4th ed., §8.5; Numerical Recipes §11.1). Each rotation
 * J(p, q, θ) zeroes the off-diagonal pair (p, q) of A ← JᵀAJ; a sweep visits every pair, and
 * the off-diagonal mass shrinks quadratically once it is small, so a few sweeps reach machine
 * precision. Symmetric input only (the lower triangle is not read separately). O(d³) per sweep;
 * meant for the small d of these features (tens to a couple of hundred).
 * `matrix` is d×d row-major; returns the eigenvalues and V (row-major, eigenvector k in column k)
 * with A = V diag(values) Vᵀ.
 */
export function symmetricEigen(
  matrix: ArrayLike<number>,
  d: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix as ArrayLike<number>);
  if (a.length !== d * d) throw new Error(`symmetricEigen: expected ${d * d} entries, got ${a.length}`);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i]! * a[i]!;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q]! * a[p * d + q]!;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < d - 1; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        if (apq === 0) continue;
        const app = a[p * d + p]!;
        const aqq = a[q * d + q]!;
        // θ with tan 2θ = 2a_pq / (a_qq − a_pp); t = tan θ, the smaller root for stability.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← JᵀAJ on rows/columns p and q.
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        a[p * d + q] = 0;
        a[q * d + p] = 0;
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i]!;
  return { values, vectors: v };
}

/** Mean and unbiased covariance (divisor n − 1, numpy.cov's default) of a sample; d×d row-major. */
export function meanAndCovariance(sample: FeatureSample): {
  mean: Float64Array;
  covariance: Float64Array;
  d: number;
} {
  const n = sample.length;
  if (n < 2) throw new Error(`frechetDistance: a sample needs at least 2 rows, got ${n}`);
  const d = sample[0]!.length;
  const mean = new Float64Array(d);
  for (const row of sample) {
    if (row.length !== d) throw new Error(`frechetDistance: rows of ${row.length} and ${d} features`);
    for (let j = 0; j < d; j++) mean[j]! += row[j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const covariance = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const row of sample) {
    for (let j = 0; j < d; j++) centred[j] = row[j]! - mean[j]!;
    for (let i = 0; i < d; i++) {
      const ci = centred[i]!;
      if (ci === 0) continue;
      for (let j = i; j < d; j++) covariance[i * d + j]! += ci * centred[j]!;
    }
  }
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      const c = covariance[i * d + j]! / (n - 1);
      covariance[i * d + j] = c;
      covariance[j * d + i] = c;
    }
  return { mean, covariance, d };
}

/**
 * Tr((Σ₁Σ₂)^{1/2}) for symmetric positive semi-definite Σ₁, Σ₂. Σ₁Σ₂ is not symmetric, but it is
 * similar to the symmetric PSD M = Σ₁^{1/2} Σ₂ Σ₁^{1/2} (Σ₁Σ₂ = Σ₁^{1/2} M Σ₁^{-1/2} when Σ₁ is
 * invertible, and by continuity otherwise), so both have the same non-negative eigenvalues λᵢ and
 * Tr((Σ₁Σ₂)^{1/2}) = Σ √λᵢ. Σ₁^{1/2} = V diag(√max(0, eᵢ)) Vᵀ from Σ₁'s eigen-decomposition; the
 * eigenvalues of M come from the same Jacobi routine. Eigenvalues below 0 (rounding on a singular
 * covariance, e.g. a feature constant in a sample) are taken as 0.
 */
export function traceSqrtProduct(sigma1: Float64Array, sigma2: Float64Array, d: number): number {
  const { values, vectors } = symmetricEigen(sigma1, d);
  const root = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++)
        s += vectors[i * d + k]! * Math.sqrt(Math.max(0, values[k]!)) * vectors[j * d + k]!;
      root[i * d + j] = s;
      root[j * d + i] = s;
    }
  // M = R Σ₂ R, symmetrised against rounding.
  const rs = multiply(root, sigma2, d);
  const m = multiply(rs, root, d);
  for (let i = 0; i < d; i++)
    for (let j = i + 1; j < d; j++) {
      const s = (m[i * d + j]! + m[j * d + i]!) / 2;
      m[i * d + j] = s;
      m[j * d + i] = s;
    }
  let trace = 0;
  for (const lambda of symmetricEigen(m, d).values) trace += Math.sqrt(Math.max(0, lambda));
  return trace;
}

function multiply(x: Float64Array, y: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const xik = x[i * d + k]!;
      if (xik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j]! += xik * y[k * d + j]!;
    }
  return out;
}

/**
 * The Fréchet distance (the FID formula, squared as in the FID) between two samples of feature
 * vectors of one dimension d: ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2 Tr((Σ₁Σ₂)^{1/2}), with unbiased
 * covariances. Clamped at 0 (rounding can leave −1e-15 for identical samples). Note it is a biased
 * estimate: two finite samples of one distribution give a small positive value that shrinks as n
 * grows, so compare distances measured with the same n.
 */
export function frechetDistance(featuresA: FeatureSample, featuresB: FeatureSample): number {
  const a = meanAndCovariance(featuresA);
  const b = meanAndCovariance(featuresB);
  if (a.d !== b.d) throw new Error(`frechetDistance: ${a.d} features against ${b.d}`);
  const d = a.d;
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (a.mean[j]! - b.mean[j]!) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += a.covariance[i * d + i]! + b.covariance[i * d + i]!;
  return Math.max(0, meanTerm + traces - 2 * traceSqrtProduct(a.covariance, b.covariance, d));
}

/** The pooling grid of `pooledPixelFeatures`: 7×7 cells per channel. */
export const POOLED_GRID = 7;

/**
 * A fixed feature map of an image that needs no trained weights, for `frechetDistance`: per channel
 * the 7×7 average-pooled intensities (pixel (x, y) falls in cell (⌊7x/w⌋, ⌊7y/h⌋), so a 28×28
 * MNIST digit pools 4×4 blocks), then three image-wide statistics: mean intensity, intensity
 * standard deviation, and mean absolute difference between neighbouring pixels (horizontal and
 * vertical; an edge/sharpness measure the pooling averages away). Intensities are scaled to
 * [0, 1]. 49·channels + 3 features; deterministic, microseconds per image.
 * Pixels are HWC interleaved, as ImageRow stores them.
 */
export function pooledPixelFeatures(
  pixels: ArrayLike<number>,
  shape: { width: number; height: number; channels: number },
): Float64Array {
  const { width: w, height: h, channels: ch } = shape;
  if (pixels.length !== w * h * ch)
    throw new Error(`pooledPixelFeatures: ${pixels.length} pixels for a ${w}×${h}×${ch} image`);
  const g = POOLED_GRID;
  const sums = new Float64Array(g * g * ch);
  const counts = new Float64Array(g * g);
  let total = 0;
  let squares = 0;
  let edges = 0;
  let edgeCount = 0;
  for (let y = 0; y < h; y++) {
    const cy = Math.floor((y * g) / h);
    for (let x = 0; x < w; x++) {
      const cell = cy * g + Math.floor((x * g) / w);
      counts[cell]! += 1;
      for (let c = 0; c < ch; c++) {
        const value = pixels[(y * w + x) * ch + c]! / 255;
        sums[c * g * g + cell]! += value;
        total += value;
        squares += value * value;
        if (x + 1 < w) {
          edges += Math.abs(pixels[(y * w + x + 1) * ch + c]! / 255 - value);
          edgeCount++;
        }
        if (y + 1 < h) {
          edges += Math.abs(pixels[((y + 1) * w + x) * ch + c]! / 255 - value);
          edgeCount++;
        }
      }
    }
  }
  const features = new Float64Array(g * g * ch + 3);
  for (let c = 0; c < ch; c++)
    for (let cell = 0; cell < g * g; cell++)
      // An image narrower than 7 pixels leaves some cells empty: 0.
      features[c * g * g + cell] = counts[cell]! > 0 ? sums[c * g * g + cell]! / counts[cell]! : 0;
  const n = w * h * ch;
  const mean = total / n;
  features[g * g * ch] = mean;
  features[g * g * ch + 1] = Math.sqrt(Math.max(0, squares / n - mean * mean));
  features[g * g * ch + 2] = edgeCount > 0 ? edges / edgeCount : 0;
  return features;
}
