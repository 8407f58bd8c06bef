/**
 * Two-proportion z-test for conversion rates (e.g. Agresti, "Categorical Data Analysis", §3.1.4):
 *   p̂ = (x₁ + x₂)/(n₁ + n₂),  z = (p̂₂ − p̂₁) / √(p̂(1 − p̂)(1/n₁ + 1/n₂))   (pooled, under H₀)
 *   two-sided p = 2·(1 − Φ(|z|))
 * and the Wald interval of the difference with the unpooled standard error
 *   (p̂₂ − p̂₁) ± z_{1−α/2} · √(p̂₁(1 − p̂₁)/n₁ + p̂₂(1 − p̂₂)/n₂).
 * Pure; the A/B report calls it for each variant against the control.
 */

/** Φ via erfc, with erfc from Numerical Recipes' Chebyshev fit (|error| < 1.2e-7 everywhere). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? y : 2 - y;
}

/** z_{1−α/2} for the usual levels; others by bisection on Φ. */
export function normalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface ProportionTest {
  controlRate: number;
  treatmentRate: number;
  difference: number;
  relativeLift: number | null;
  z: number | null;
  pValue: number | null;
  confidenceInterval: [number, number] | null;
  significant: boolean;
}

export function twoProportionZTest(
  control: { conversions: number; exposures: number },
  treatment: { conversions: number; exposures: number },
  alpha = 0.05,
): ProportionTest {
  const { conversions: x1, exposures: n1 } = control;
  const { conversions: x2, exposures: n2 } = treatment;
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p2 = n2 > 0 ? x2 / n2 : 0;
  const difference = p2 - p1;
  const relativeLift = p1 > 0 ? difference / p1 : null;
  if (n1 === 0 || n2 === 0) {
    return { controlRate: p1, treatmentRate: p2, difference, relativeLift, z: null, pValue: null, confidenceInterval: null, significant: false };
  }
  const pooled = (x1 + x2) / (n1 + n2);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se0 > 0 ? difference / se0 : 0;
  const pValue = se0 > 0 ? Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) : 1;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  const critical = normalQuantile(1 - alpha / 2);
  return {
    controlRate: p1,
    treatmentRate: p2,
    difference,
    relativeLift,
    z,
    pValue,
    confidenceInterval: [difference - critical * se, difference + critical * se],
    significant: pValue < alpha,
  };
}
