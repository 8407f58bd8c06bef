/**
 * frechetDistance against scipy (reference/frechet-reference.json, generate_frechet.py), the
 * formula's closed forms, and the Jacobi eigenvalue routine it rests on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.ts';
import { frechetDistance, pooledPixelFeatures, symmetricEigen } from './frechet-distance.ts';

const reference = JSON.parse(
  readFileSync(new URL('../../reference/frechet-reference.json', import.meta.url), 'utf8'),
) as { cases: { name: string; a: number[][]; b: number[][]; expected: number }[] };

/** n standard-normal rows of d features (Box–Muller on the project's seeded stream). */
function gaussian(n: number, d: number, seed: number): number[][] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: d }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())),
  );
}

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('finds the eigenvalues of a known symmetric matrix and reconstructs it from V diag(λ) Vᵀ', () => {
    // [[2,1,0],[1,2,1],[0,1,2]]: eigenvalues 2 − √2, 2, 2 + √2.
    const m = [2, 1, 0, 1, 2, 1, 0, 1, 2];
    const { values, vectors } = symmetricEigen(m, 3);
    expect([...values].sort((x, y) => x - y)).toEqual([
      expect.closeTo(2 - Math.SQRT2, 12),
      expect.closeTo(2, 12),
      expect.closeTo(2 + Math.SQRT2, 12),
    ]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += vectors[i * 3 + k]! * values[k]! * vectors[j * 3 + k]!;
        expect(s).toBeCloseTo(m[i * 3 + j]!, 12);
      }
  });
});

describe('frechetDistance (the FID formula, Heusel et al. 2017)', () => {
  it('is ~0 for identical samples', () => {
    const a = gaussian(300, 10, 1);
    expect(frechetDistance(a, a)).toBeLessThan(1e-9);
    const pixels = Array.from({ length: 50 }, (_, i) =>
      pooledPixelFeatures(
        Uint8Array.from({ length: 64 }, (_, j) => (i * 7 + j * 13) % 256),
        {
          width: 8,
          height: 8,
          channels: 1,
        },
      ),
    );
    expect(frechetDistance(pixels, pixels)).toBeLessThan(1e-9);
  });

  it('is exactly ‖d‖² for a sample and its copy shifted by d (same covariance)', () => {
    const a = gaussian(200, 6, 2);
    const shift = [1, -2, 0.5, 0, 3, -1];
    const b = a.map((row) => row.map((v, j) => v + shift[j]!));
    const d2 = shift.reduce((s, v) => s + v * v, 0);
    expect(frechetDistance(a, b)).toBeCloseTo(d2, 9);
  });

  it('is ≈ d² for two independent normal samples whose means differ by d', () => {
    // Same distribution up to the shift: the covariance term is small sampling noise.
    const a = gaussian(4000, 3, 3);
    const b = gaussian(4000, 3, 4).map((row) => [row[0]! + 2, row[1]!, row[2]!]);
    expect(frechetDistance(a, b)).toBeGreaterThan(3.8);
    expect(frechetDistance(a, b)).toBeLessThan(4.2);
  });

  it('matches scipy.linalg.sqrtm within 1e-6 relative on the committed reference inputs', () => {
    expect(reference.cases.length).toBeGreaterThanOrEqual(3);
    for (const c of reference.cases) {
      const value = frechetDistance(c.a, c.b);
      expect(Math.abs(value - c.expected) / c.expected, c.name).toBeLessThan(1e-6);
    }
  });

  it('refuses samples of different dimensions or fewer than 2 rows', () => {
    expect(() =>
      frechetDistance(
        [
          [1, 2],
          [3, 4],
        ],
        [[1], [2]],
      ),
    ).toThrow(/2 features against 1/);
    expect(() => frechetDistance([[1]], [[1], [2]])).toThrow(/at least 2 rows/);
  });
});

describe('pooledPixelFeatures', () => {
  it('pools a 28×28 image in 4×4 blocks, then mean, standard deviation and edge strength', () => {
    const pixels = new Uint8Array(28 * 28);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) pixels[y * 28 + x] = 255; // top-left block
    const f = pooledPixelFeatures(pixels, { width: 28, height: 28, channels: 1 });
    expect(f.length).toBe(52);
    expect(f[0]).toBe(1);
    expect([...f.slice(1, 49)].every((v) => v === 0)).toBe(true);
    const mean = 16 / 784;
    expect(f[49]).toBeCloseTo(mean, 12);
    expect(f[50]).toBeCloseTo(Math.sqrt(mean - mean * mean), 12);
    // 8 neighbour pairs cross the block's edge, out of 2·28·27.
    expect(f[51]).toBeCloseTo(8 / (2 * 28 * 27), 12);
  });
});
