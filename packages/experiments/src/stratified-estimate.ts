/**
 * The difference of one metric between two arms, estimated stratum by stratum (one stratum per
 * traffic step: the step at which each unit was first exposed) and combined with weights
 * proportional to each stratum's units — post-stratification (Miratrix, Sekhon, Yu 2013,
 * "Adjusting treatment effect estimates by post-stratification in randomized experiments", JRSS B).
 *
 * Why strata: the units a step brings in can differ from the earlier ones (a later, wider
 * audience, another day of the week), so estimates of different steps are not pooled as one
 * sample; each is unbiased for its own units and the weighted sum is unbiased for all of them.
 * Advancing a step therefore throws no evidence away. Var(Σ w_s Δ_s) = Σ w_s² Var(Δ_s), the
 * strata being independent. Within a stratum, CUPED (cuped.ts) adjusts the difference when a
 * covariate is there.
 *
 * A stratum in which either arm has fewer than 2 units has no variance estimate; it is left out
 * (and its units reported as such) rather than guessed.
 */
import { cupedComparison, type CovariateArm } from './cuped.ts';

export type ArmCell = CovariateArm;

export interface StratifiedDifference {
  /** Σ w_s (treatment − control) */
  difference: number;
  variance: number;
  /** The same without CUPED, to show what the covariate bought. */
  unadjustedVariance: number;
  controlMean: number;
  treatmentMean: number;
  /** Variance of the stratified control mean (for the relative change's delta method). */
  controlMeanVariance: number;
  /** 1 − variance / unadjustedVariance; 0 without covariate. */
  varianceReduction: number;
  units: { control: number; treatment: number };
  /** Units in strata too small to estimate (either arm < 2). */
  unitsLeftOut: number;
  strata: number;
}

export function stratifiedDifference(
  strata: Array<{ control: ArmCell; treatment: ArmCell }>,
  options: { cuped: boolean },
): StratifiedDifference | null {
  const usable = strata.filter((s) => s.control.units >= 2 && s.treatment.units >= 2);
  const unitsLeftOut = strata
    .filter((s) => !usable.includes(s))
    .reduce((sum, s) => sum + s.control.units + s.treatment.units, 0);
  const total = usable.reduce((sum, s) => sum + s.control.units + s.treatment.units, 0);
  if (total === 0) return null;
  let difference = 0;
  let variance = 0;
  let unadjustedVariance = 0;
  let controlMean = 0;
  let treatmentMean = 0;
  let controlMeanVariance = 0;
  for (const { control, treatment } of usable) {
    const w = (control.units + treatment.units) / total;
    const adjusted = cupedComparison(
      withoutCovariateUnless(control, options.cuped),
      withoutCovariateUnless(treatment, options.cuped),
    );
    difference += w * adjusted.difference;
    variance += w * w * adjusted.variance;
    unadjustedVariance += w * w * adjusted.unadjustedVariance;
    controlMean += w * (control.sum / control.units);
    treatmentMean += w * (treatment.sum / treatment.units);
    controlMeanVariance += (w * w * sampleVariance(control)) / control.units;
  }
  return {
    difference,
    variance,
    unadjustedVariance,
    controlMean,
    treatmentMean,
    controlMeanVariance,
    varianceReduction: unadjustedVariance > 0 ? 1 - variance / unadjustedVariance : 0,
    units: {
      control: usable.reduce((sum, s) => sum + s.control.units, 0),
      treatment: usable.reduce((sum, s) => sum + s.treatment.units, 0),
    },
    unitsLeftOut,
    strata: usable.length,
  };
}

/**
 * The relative change Δ/μc and its variance by the delta method, with Cov(Δ, μc) = −Var(μc)
 * since Δ = μt − μc: Var ≈ Var(Δ)/μc² + Δ²·Var(μc)/μc⁴ + 2Δ·Var(μc)/μc³ (as GrowthBook's
 * relative effects). Null when the control's mean is 0.
 */
export function relativeChange(
  d: Pick<StratifiedDifference, 'difference' | 'variance' | 'controlMean' | 'controlMeanVariance'>,
): { estimate: number; variance: number } | null {
  const mu = d.controlMean;
  if (mu === 0) return null;
  const estimate = d.difference / mu;
  const variance =
    d.variance / mu ** 2 +
    (d.difference ** 2 * d.controlMeanVariance) / mu ** 4 +
    (2 * d.difference * d.controlMeanVariance) / mu ** 3;
  return { estimate, variance: Math.max(variance, 0) };
}

function sampleVariance(arm: ArmCell): number {
  if (arm.units < 2) return 0;
  return Math.max(0, (arm.sumSquares - arm.sum ** 2 / arm.units) / (arm.units - 1));
}

function withoutCovariateUnless(arm: ArmCell, keep: boolean): ArmCell {
  return keep ? arm : { ...arm, covariateSum: 0, covariateSumSquares: 0, crossSum: 0 };
}
