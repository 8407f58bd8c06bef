/**
 * The Laplace mechanism for one bounded numeric value (Dwork, McSherry, Nissim & Smith 2006,
 * "Calibrating Noise to Sensitivity in Private Data Analysis"): the value is clipped into
 * [lower, upper], so one person's value moves the output by at most Δ = upper − lower, and
 * Laplace(0, b) noise with b = Δ/ε makes the released value ε-differentially private
 * (locally: each record is noised before anything is written). Var = 2b².
 */
import type { Random } from '@lathe/core';

export interface LaplaceParameters {
  epsilon: number;
  lower: number;
  upper: number;
}

export function laplaceScale(p: LaplaceParameters): number {
  return (p.upper - p.lower) / p.epsilon;
}

/** One Laplace(0, b) draw by inversion of its CDF. */
export function laplaceSample(b: number, random: Random): number {
  const u = random() - 0.5;
  // |u| = 0.5 would be log(0): the smallest positive double keeps the draw finite.
  return -b * Math.sign(u) * Math.log(Math.max(1 - 2 * Math.abs(u), Number.MIN_VALUE));
}

export function laplacePerturb(value: number, p: LaplaceParameters, random: Random): number {
  const clipped = Math.min(p.upper, Math.max(p.lower, value));
  return clipped + laplaceSample(laplaceScale(p), random);
}
