import { describe, expect, it } from 'vitest';
import { normalCdf } from '../normal-distribution.ts';
import { deriveSeed, logFactorial, Random } from './random.ts';

/** Mean and variance of `n` draws. */
function moments(n: number, draw: () => number): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: (squares - n * mean * mean) / (n - 1) };
}

/** Pearson's chi-square of integer draws against a pmf, over the cells with expected count ≥ 5 (the rest pooled). */
function chiSquare(
  n: number,
  draw: () => number,
  pmf: (k: number) => number,
  max: number,
): { statistic: number; cells: number } {
  const counts = new Float64Array(max + 2);
  for (let i = 0; i < n; i++) counts[Math.min(draw(), max + 1)]!++;
  let statistic = 0;
  let cells = 0;
  let pooledObserved = 0;
  let pooledExpected = 0;
  let mass = 0;
  for (let k = 0; k <= max; k++) {
    const expected = n * pmf(k);
    mass += pmf(k);
    if (expected >= 5) {
      statistic += (counts[k]! - expected) ** 2 / expected;
      cells++;
    } else {
      pooledObserved += counts[k]!;
      pooledExpected += expected;
    }
  }
  pooledObserved += counts[max + 1]!;
  pooledExpected += n * (1 - mass);
  if (pooledExpected >= 5) {
    statistic += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    cells++;
  }
  return { statistic, cells };
}

const binomialPmf = (n: number, p: number) => (k: number) =>
  k > n
    ? 0
    : Math.exp(
        logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p),
      );
const poissonPmf = (mean: number) => (k: number) => Math.exp(-mean + k * Math.log(mean) - logFactorial(k));

describe('seeded random numbers', () => {
  it('is reproducible per seed, and nearby seeds give unrelated streams', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
    expect(deriveSeed(1, 0, 0)).not.toBe(deriveSeed(1, 0, 1));
    expect(deriveSeed(1, 0, 0)).not.toBe(deriveSeed(1, 1, 0));
    const u = moments(200_000, () => a.uniform());
    expect(u.mean).toBeCloseTo(0.5, 2);
    expect(u.variance).toBeCloseTo(1 / 12, 3);
  });

  it('logFactorial: the table and Stirling agree with the exact sum', () => {
    let exact = 0;
    for (let k = 1; k <= 2000; k++) {
      exact += Math.log(k);
      if (k === 255 || k === 256 || k === 1000 || k === 2000)
        expect(Math.abs(logFactorial(k) - exact) / exact).toBeLessThan(1e-13);
    }
  });

  // Chi-square critical values at 0.999 are below df + 4.5·√(2·df) for the df here: a seeded check that
  // fails when a sampler's distribution is wrong, not by chance.
  const critical = (df: number) => df + 4.5 * Math.sqrt(2 * df);

  it.each([
    [83, 0.05], // inversion (n·p < 10)
    [20, 0.4], // inversion
    [167, 0.5], // BTRS
    [1000, 0.05], // BTRS
    [300, 0.9], // BTRS through the symmetry
  ])('binomial(%i, %f) has the exact distribution', (n, p) => {
    const rng = new Random(7);
    const { statistic, cells } = chiSquare(200_000, () => rng.binomial(n, p), binomialPmf(n, p), n);
    expect(statistic, `chi-square ${statistic.toFixed(1)} on ${cells - 1} df`).toBeLessThan(
      critical(cells - 1),
    );
  });

  it.each([[3.5], [9.99], [10], [166.7], [2000]])('Poisson(%f) has the exact distribution', (mean) => {
    const rng = new Random(8);
    const { statistic, cells } = chiSquare(
      200_000,
      () => rng.poisson(mean),
      poissonPmf(mean),
      Math.ceil(mean + 10 * Math.sqrt(mean) + 20),
    );
    expect(statistic, `chi-square ${statistic.toFixed(1)} on ${cells - 1} df`).toBeLessThan(
      critical(cells - 1),
    );
  });

  it('binomial and Poisson edge cases', () => {
    const rng = new Random(9);
    expect(rng.binomial(0, 0.3)).toBe(0);
    expect(rng.binomial(10, 0)).toBe(0);
    expect(rng.binomial(10, 1)).toBe(10);
    expect(rng.poisson(0)).toBe(0);
    expect(() => rng.binomial(2.5, 0.5)).toThrow(RangeError);
    expect(() => rng.binomial(3, 1.5)).toThrow(RangeError);
    expect(() => rng.poisson(-1)).toThrow(RangeError);
  });

  it('normal (ziggurat): the exact distribution, tails included', () => {
    const rng = new Random(14);
    const n = 1_000_000;
    // 50 cells: the two tails beyond ±4 and 48 cells of width 1/6 between.
    const edges = Array.from({ length: 49 }, (_, k) => -4 + k / 6);
    const counts = new Float64Array(edges.length + 1);
    let beyond3 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      if (Math.abs(z) > 3) beyond3++;
      let k = 0;
      while (k < edges.length && z > edges[k]!) k++;
      counts[k]!++;
    }
    let statistic = 0;
    for (let k = 0; k <= edges.length; k++) {
      const lo = k === 0 ? -Infinity : edges[k - 1]!;
      const hi = k === edges.length ? Infinity : edges[k]!;
      const expected = n * ((hi === Infinity ? 1 : normalCdf(hi)) - (lo === -Infinity ? 0 : normalCdf(lo)));
      statistic += (counts[k]! - expected) ** 2 / expected;
    }
    expect(statistic, `chi-square ${statistic.toFixed(1)} on ${edges.length} df`).toBeLessThan(
      critical(edges.length),
    );
    const tail = 2 * normalCdf(-3);
    expect(Math.abs(beyond3 / n - tail), `P(|Z| > 3) ${beyond3 / n} vs ${tail}`).toBeLessThan(
      4 * Math.sqrt(tail / n),
    );
  });

  it.each([[0.5], [1], [2.5], [40]])('gamma(%f): mean and variance equal the shape', (shape) => {
    const rng = new Random(10);
    const m = moments(200_000, () => rng.gamma(shape));
    expect(Math.abs(m.mean - shape) / shape).toBeLessThan(0.01);
    expect(Math.abs(m.variance - shape) / shape).toBeLessThan(0.03);
  });

  it('lognormal: the requested mean and coefficient of variation', () => {
    const rng = new Random(11);
    const m = moments(400_000, () => rng.lognormal(40, 1.5));
    expect(Math.abs(m.mean - 40) / 40).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(m.variance) / m.mean - 1.5)).toBeLessThan(0.1);
  });

  it("Bartlett's sums have the distribution of per-unit bivariate-normal sums", () => {
    // Per batch of n: sample means, variances and covariance; compared with per-unit draws.
    const n = 40;
    const batches = 20_000;
    const [mx, sx, my, sy, rho] = [10, 8, 12, 5, 0.7];
    const summarise = (fill: (out: Float64Array) => void) => {
      const out = new Float64Array(5);
      const stats = { meanY: 0, varY: 0, covXY: 0, varVarY: 0, varMeanY: 0 };
      const vys: number[] = [];
      const mys: number[] = [];
      for (let b = 0; b < batches; b++) {
        out.fill(0);
        fill(out);
        const meanX = out[0]! / n;
        const meanY = out[2]! / n;
        const varY = (out[3]! - n * meanY * meanY) / (n - 1);
        const cov = (out[4]! - n * meanX * meanY) / (n - 1);
        stats.meanY += meanY / batches;
        stats.varY += varY / batches;
        stats.covXY += cov / batches;
        vys.push(varY);
        mys.push(meanY);
      }
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const variance = (xs: number[]) => {
        const m = mean(xs);
        return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
      };
      stats.varVarY = variance(vys);
      stats.varMeanY = variance(mys);
      return stats;
    };
    const a = new Random(12);
    const bartlett = summarise((out) => a.addBivariateNormalSums(out, n, mx, sx, my, sy, rho));
    const b = new Random(13);
    const perUnit = summarise((out) => {
      for (let i = 0; i < n; i++) {
        const z1 = b.normal();
        const z2 = b.normal();
        const x = mx + sx * z1;
        const y = my + sy * (rho * z1 + Math.sqrt(1 - rho * rho) * z2);
        out[0]! += x;
        out[1]! += x * x;
        out[2]! += y;
        out[3]! += y * y;
        out[4]! += x * y;
      }
    });
    // Theory: E ȳ = μy, Var ȳ = σy²/n, E s² = σy², Var s² = 2σy⁴/(n−1), E cov = ρσxσy.
    for (const s of [bartlett, perUnit]) {
      expect(s.meanY).toBeCloseTo(my, 1);
      expect(Math.abs(s.varMeanY / ((sy * sy) / n) - 1)).toBeLessThan(0.04);
      expect(Math.abs(s.varY / (sy * sy) - 1)).toBeLessThan(0.01);
      expect(Math.abs(s.varVarY / ((2 * sy ** 4) / (n - 1)) - 1)).toBeLessThan(0.05);
      expect(Math.abs(s.covXY / (rho * sx * sy) - 1)).toBeLessThan(0.01);
    }
  });
});
