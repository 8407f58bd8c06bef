import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BetaParameters,
  conversionPosterior,
  expectedLoss,
  probabilityBBeatsA,
} from './beta-binomial.ts';

// Values from scipy.integrate.quad of beta.pdf · beta.cdf (checked there against Evan Miller's sum)
// and scipy.stats.beta.ppf, by reference/generate_sequential.py (committed with its output).
interface Reference {
  betaBinomial: {
    probability: Array<{ a: BetaParameters; b: BetaParameters; value: number }>;
    loss: Array<{ a: BetaParameters; b: BetaParameters; chooseA: number; chooseB: number }>;
    posterior: Array<{
      arm: { units: number; conversions: number };
      prior: BetaParameters;
      alpha: number;
      beta: number;
      mean: number;
      interval: [number, number];
    }>;
  };
}
const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/sequential-reference.json', import.meta.url), 'utf8'),
);
const { probability, loss, posterior } = reference.betaBinomial;
const label = ({ a, b }: { a: BetaParameters; b: BetaParameters }): string =>
  `A ~ Beta(${a.alpha}, ${a.beta}), B ~ Beta(${b.alpha}, ${b.beta})`;

describe('probabilityBBeatsA', () => {
  it.each(probability.map((c) => [label(c), c] as const))('matches scipy quad for %s', (_, c) => {
    expect(probabilityBBeatsA(c.a, c.b)).toBeCloseTo(c.value, 12);
  });

  it('compares two empty arms (prior against prior) without NaN', () => {
    const prior = conversionPosterior({ units: 0, conversions: 0 });
    expect(probabilityBBeatsA(prior, prior)).toBeCloseTo(0.5, 15);
    // E[max(U₂ − U₁, 0)] for independent uniforms is 1/6.
    expect(expectedLoss(prior, prior).chooseA).toBeCloseTo(1 / 6, 14);
    expect(expectedLoss(prior, prior).chooseB).toBeCloseTo(1 / 6, 14);
  });

  it('is ½ for identical arms and complementary when the arms swap', () => {
    const arm = { alpha: 51, beta: 951 };
    expect(probabilityBBeatsA(arm, arm)).toBeCloseTo(0.5, 13);
    const a = { alpha: 3.5, beta: 20.25 };
    const b = { alpha: 6.5, beta: 18.25 };
    expect(probabilityBBeatsA(a, b) + probabilityBBeatsA(b, a)).toBeCloseTo(1, 12);
  });

  it('agrees between the closed-form sum and numerical integration', () => {
    // Beta(5001, 95001) vs Beta(5101, 94901) by the sum; nudging α off the integers forces integration.
    const a = { alpha: 5001, beta: 95001 };
    const b = { alpha: 5101, beta: 94901 };
    const nudged = (p: BetaParameters): BetaParameters => ({ alpha: p.alpha * (1 + 1e-15), beta: p.beta });
    expect(probabilityBBeatsA(nudged(a), nudged(b))).toBeCloseTo(probabilityBBeatsA(a, b), 11);
  });
});

describe('expectedLoss', () => {
  it.each(loss.map((c) => [label(c), c] as const))('matches scipy quad for %s', (_, c) => {
    const result = expectedLoss(c.a, c.b);
    expect(result.chooseA).toBeCloseTo(c.chooseA, 13);
    expect(result.chooseB).toBeCloseTo(c.chooseB, 13);
  });

  it('differs between the choices by the difference of the means', () => {
    const a = { alpha: 12, beta: 30.5 };
    const b = { alpha: 9.5, beta: 33 };
    const { chooseA, chooseB } = expectedLoss(a, b);
    expect(chooseA - chooseB).toBeCloseTo(9.5 / 42.5 - 12 / 42.5, 14);
  });
});

describe('conversionPosterior', () => {
  it.each(posterior.map((c) => [`${c.arm.conversions} of ${c.arm.units}`, c] as const))(
    'matches scipy beta.ppf for %s',
    (_, c) => {
      const result = conversionPosterior(c.arm, c.prior);
      expect(result.alpha).toBe(c.alpha);
      expect(result.beta).toBe(c.beta);
      expect(result.mean).toBeCloseTo(c.mean, 15);
      for (const i of [0, 1] as const) {
        expect(Math.abs(result.interval[i] - c.interval[i]) / c.interval[i]).toBeLessThan(1e-9);
      }
    },
  );

  it('defaults to the uniform prior and returns the prior without units', () => {
    const empty = conversionPosterior({ units: 0, conversions: 0 });
    expect(empty.alpha).toBe(1);
    expect(empty.beta).toBe(1);
    expect(empty.mean).toBe(0.5);
    expect(empty.interval[0]).toBeCloseTo(0.025, 15);
    expect(empty.interval[1]).toBeCloseTo(0.975, 15);
  });

  it('refuses impossible arms', () => {
    expect(() => conversionPosterior({ units: 10, conversions: 11 })).toThrow(RangeError);
    expect(() => conversionPosterior({ units: -1, conversions: 0 })).toThrow(RangeError);
    expect(() => conversionPosterior({ units: 10, conversions: 1 }, { alpha: 0, beta: 1 })).toThrow(
      RangeError,
    );
  });
});
