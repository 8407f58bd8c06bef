/**
 * The report of an A/B test: per variant the sufficient statistics, and per treatment its
 * comparison with the control on conversion (two-proportion z-test) and revenue per unit
 * (Welch's t-test), plus the sample-ratio-mismatch check.
 */
import { type Comparison, sampleRatioMismatch, twoProportionTest, welchTTest } from './statistics.ts';

export interface VariantTotals {
  name: string;
  isControl: boolean;
  weight: number;
  /** Units exposed to the variant. */
  exposures: number;
  /** Exposed units with at least one conversion. */
  conversions: number;
  /** Sum and sum of squares of revenue per exposed unit (units without revenue count 0). */
  revenueSum: number;
  revenueSumSquares: number;
}

export interface VariantReport extends VariantTotals {
  conversionRate: number | null;
  revenuePerUnit: number | null;
}

export interface TreatmentComparison {
  variant: string;
  conversion: Comparison | null;
  revenue: (Comparison & { degreesOfFreedom: number }) | null;
  /** Why a comparison is missing (too few units), so the report never shows NaN. */
  notes: string[];
}

export interface AbAnalysis {
  variants: VariantReport[];
  comparisons: TreatmentComparison[];
  sampleRatioMismatch: { statistic: number; pValue: number; detected: boolean };
  totalExposures: number;
}

export function analyseAbTest(variants: VariantTotals[], options: { alpha?: number; srmAlpha?: number } = {}): AbAnalysis {
  const alpha = options.alpha ?? 0.05;
  const control = variants.find((v) => v.isControl);
  if (!control) throw new RangeError('an A/B test needs a control variant');
  const reports: VariantReport[] = variants.map((v) => ({
    ...v,
    conversionRate: v.exposures > 0 ? v.conversions / v.exposures : null,
    revenuePerUnit: v.exposures > 0 ? v.revenueSum / v.exposures : null,
  }));
  const comparisons = variants
    .filter((v) => !v.isControl)
    .map((treatment): TreatmentComparison => {
      const notes: string[] = [];
      let conversion: Comparison | null = null;
      let revenue: TreatmentComparison['revenue'] = null;
      if (control.exposures >= 1 && treatment.exposures >= 1) {
        conversion = twoProportionTest(
          { n: control.exposures, conversions: control.conversions },
          { n: treatment.exposures, conversions: treatment.conversions },
          alpha,
        );
      } else notes.push('conversion: no exposures yet in one of the arms');
      if (control.exposures >= 2 && treatment.exposures >= 2) {
        revenue = welchTTest(
          { n: control.exposures, sum: control.revenueSum, sumSquares: control.revenueSumSquares },
          { n: treatment.exposures, sum: treatment.revenueSum, sumSquares: treatment.revenueSumSquares },
          alpha,
        );
      } else notes.push('revenue: needs at least 2 exposed units per arm');
      return { variant: treatment.name, conversion, revenue, notes };
    });
  const srm = sampleRatioMismatch(
    variants.map((v) => v.exposures),
    variants.map((v) => v.weight),
  );
  return {
    variants: reports,
    comparisons,
    sampleRatioMismatch: { ...srm, detected: srm.pValue < (options.srmAlpha ?? 0.001) },
    totalExposures: variants.reduce((sum, v) => sum + v.exposures, 0),
  };
}
