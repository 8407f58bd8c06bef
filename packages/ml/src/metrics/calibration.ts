/**
 * Reliability (calibration) of binary probabilities: do rows given p ≈ 0.7 turn out positive 70%
 * of the time?
 */
import type { Labels } from './inputs.ts';
import { assertBinaryLabels, assertProbabilities, assertSameLength } from './inputs.ts';
import type { MetricValue } from './metric-value.ts';
import { undefinedMetric } from './metric-value.ts';
import { ValidationError } from '@lathe/core';

export interface CalibrationBin {
  /** Bin edges: [lower, upper] for the first bin, (lower, upper] for the others. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** An empty bin has no mean: reported as such, never NaN. */
  readonly empty: boolean;
  /** Mean predicted probability of the rows in the bin (sklearn's prob_pred). */
  readonly meanPredicted?: number;
  /** Fraction of positive rows in the bin (sklearn's prob_true). */
  readonly fractionPositive?: number;
}

export interface CalibrationReport {
  readonly bins: readonly CalibrationBin[];
  /**
   * Expected calibration error ECE = Σ_b (n_b / N) |fractionPositive_b − meanPredicted_b|
   * (Naeini, Cooper & Hauskrecht 2015; Guo et al. 2017), over these bins. Undefined on 0 rows.
   */
  readonly ece: MetricValue;
}

/** Bin of p among `nBins` uniform bins: the number of inner edges strictly below p. */
export function uniformBinOf(p: number, nBins: number): number {
  // np.searchsorted(np.linspace(0, 1, nBins + 1)[1:-1], p) (side="left"); linspace's edges are i * (1 / n).
  const step = 1 / nBins;
  let bin = Math.min(nBins - 1, Math.max(0, Math.floor(p / step)));
  while (bin > 0 && bin * step >= p) bin--;
  while (bin < nBins - 1 && (bin + 1) * step < p) bin++;
  return bin;
}

/** Sufficient statistics of uniform calibration bins: rows, Σp and Σy per bin (streamable). */
export interface CalibrationCounts {
  readonly nBins: number;
  readonly count: Float64Array;
  readonly sumPredicted: Float64Array;
  readonly sumPositive: Float64Array;
}

export function emptyCalibrationCounts(nBins: number): CalibrationCounts {
  if (!Number.isInteger(nBins) || nBins < 1)
    throw new ValidationError(`calibration needs an integer number of bins ≥ 1, got ${nBins}`);
  return {
    nBins,
    count: new Float64Array(nBins),
    sumPredicted: new Float64Array(nBins),
    sumPositive: new Float64Array(nBins),
  };
}

export function addToCalibrationCounts(
  counts: CalibrationCounts,
  yTrue: Labels,
  probPositive: ArrayLike<number>,
): void {
  assertSameLength(yTrue, probPositive, 'y_true', 'y_prob');
  assertBinaryLabels(yTrue);
  assertProbabilities(probPositive, 'y_prob');
  for (let i = 0; i < yTrue.length; i++) {
    const p = probPositive[i] as number;
    const b = uniformBinOf(p, counts.nBins);
    counts.count[b]! += 1;
    counts.sumPredicted[b]! += p;
    counts.sumPositive[b]! += yTrue[i] as number;
  }
}

export function calibrationFromCounts(counts: CalibrationCounts): CalibrationReport {
  const total = counts.count.reduce((a, b) => a + b, 0);
  const bins: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < counts.nBins; b++) {
    const count = counts.count[b]!;
    const lower = b / counts.nBins;
    const upper = b === counts.nBins - 1 ? 1 : (b + 1) * (1 / counts.nBins);
    if (count === 0) {
      bins.push({ lower, upper, count, empty: true });
      continue;
    }
    const meanPredicted = counts.sumPredicted[b]! / count;
    const fractionPositive = counts.sumPositive[b]! / count;
    ece += (count / total) * Math.abs(fractionPositive - meanPredicted);
    bins.push({ lower, upper, count, empty: false, meanPredicted, fractionPositive });
  }
  return {
    bins,
    ece:
      total === 0 ? undefinedMetric('empty_input', 'expected calibration error is undefined on 0 rows') : ece,
  };
}

/**
 * Uniform calibration bins over [0, 1] with counts, empty bins included (marked `empty`), and the
 * expected calibration error. The non-empty bins equal sklearn.calibration.calibration_curve(
 * y_true, y_prob, n_bins, strategy="uniform") (prob_true = fractionPositive, prob_pred =
 * meanPredicted), which silently drops empty bins.
 */
export function calibrationBins(
  yTrue: Labels,
  probPositive: ArrayLike<number>,
  nBins = 10,
): CalibrationReport {
  const counts = emptyCalibrationCounts(nBins);
  addToCalibrationCounts(counts, yTrue, probPositive);
  return calibrationFromCounts(counts);
}
