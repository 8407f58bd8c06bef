/**
 * The look screen: an allocation-free replica of the numbers the decision reads, used by the
 * simulator to skip the real analysis at looks whose decision is certainly `hold` — and to check the
 * analysis against it at every look where the real one runs.
 *
 * Why: one `analyseAbTest(…, { detail: 'decision' })` + `decideRollout` costs ≈ 25–30 µs here (Maps,
 * closures and strings per call), and an A/A case is 1,000 tests × 4,032 five-minute looks, ≈ 2 minutes
 * of CPU per case; at nearly all of those looks nothing is near a boundary and the decision is `hold`.
 *
 * What the replica computes, as analysis.ts / stratified-estimate.ts / cuped.ts / msprt.ts /
 * sequential-srm.ts do: per traffic step with ≥ 2 units in both arms, the CUPED-adjusted difference
 * and its variance (pooled θ, within-arm centring, the 1e-12 constant-covariate rule), strata weighted
 * by their units; the primary metric's confidence sequence (τ = MDE × |control mean|); the business
 * guardrail's one-sided sequential bound at 2α with τ = margin; the sequential SRM log Bayes factor
 * (Dirichlet concentration 1000); for the Bayesian rule P(treatment better) by the normal
 * approximation of the two beta posteriors (proportions) or exactly Φ(Δ/σ) (means).
 *
 * A look is certified `hold` only when the decision cannot be anything else whatever the small
 * numerical differences: not timed out, and either fewer than `minExposuresPerArm` units in an arm, or
 * the primary's interval contains 0 with 0.1% of its half-width to spare and the guardrail is not
 * breached with the same margin (within a step's minimum duration, where the decision can only be
 * `hold` or `rollback`, "not worse" suffices; past it below the last step, `advance` is due, never
 * certified). Bayesian rule: P(better) at least 0.01 short of the
 * threshold, or the approximate expected loss 25% above the limit (used from 100 conversions per arm,
 * where the approximation is within 5–6%). A sample ratio mismatch only ever turns a decision into
 * `hold`, so the replica's SRM test is used for the `srmFlagged` record alone.
 *
 * Checks (a failed one throws, so a simulation test fails rather than trusting a wrong replica): at
 * every look where the real analysis runs — every look the screen cannot certify, plus every
 * `crossCheckEvery`-th look it could — the replica's units, primary interval and p-value and guardrail
 * bound must equal the analysis's to 1e-9 relative, the SRM log Bayes factor to 1e-6 (Stirling's
 * series there), P(better) to 0.005 and expected losses near the limit to 15%; and the simulator
 * (simulate-ab-test.ts) throws when a look the screen certified gets anything but `hold` from the real
 * decision. Policies outside what the replica models (the fixed rule, secondary metrics, request
 * guardrails with request data) are never screened.
 */
import type { AbAnalysis } from '../analysis.ts';
import type { MetricCell } from '../analysis.ts';
import { normalCdf, normalPdf } from '../normal-distribution.ts';
import { businessGuardrailMetric, metricKind, type RolloutPolicy } from '../rollout-policy.ts';
import { DEFAULT_SRM_CONCENTRATION } from '../sequential-srm.ts';
import { logGamma } from '../special-functions.ts';

/** Relative share of a half-width kept as safety margin before a look is certified `hold`. */
const BOUNDARY_MARGIN = 1e-3;
/** Bayesian rule: how far the approximate P(better) must stay from each threshold. */
const PROBABILITY_MARGIN = 0.01;
/** Largest accepted gap between the approximate and the exact P(better) at a checked look. */
const PROBABILITY_TOLERANCE = 0.005;
/** Bayesian rule: an approximate expected loss this much above the limit certifies "not chosen". */
const LOSS_MARGIN = 0.25;
/** Largest accepted relative gap between the approximate and exact expected loss near the limit. */
const LOSS_TOLERANCE = 0.15;
/** Proportions: the loss approximation is used (and checked) only with this many conversions per arm. */
const LOSS_MINIMUM_CONVERSIONS = 100;
const RELATIVE_TOLERANCE = 1e-9;

/** One metric's stratified comparison, as stratified-estimate.ts computes it. */
interface Comparison {
  ok: boolean;
  difference: number;
  variance: number;
  controlMean: number;
  treatmentMean: number;
  unitsControl: number;
  unitsTreatment: number;
  // pooled over strata (Bayesian rule, proportions)
  pooledControlUnits: number;
  pooledControlSum: number;
  pooledTreatmentUnits: number;
  pooledTreatmentSum: number;
}

const newComparison = (): Comparison => ({
  ok: false,
  difference: 0,
  variance: 0,
  controlMean: 0,
  treatmentMean: 0,
  unitsControl: 0,
  unitsTreatment: 0,
  pooledControlUnits: 0,
  pooledControlSum: 0,
  pooledTreatmentUnits: 0,
  pooledTreatmentSum: 0,
});

export interface ScreenState {
  step: number;
  stepStartedAtMs: number;
  nowMs: number;
  testStartedAtMs: number;
}

export class LookScreen {
  readonly supported: boolean;
  /** The last reading: the decision is certainly `hold`. */
  certifiedHold = false;
  /** The last reading: the replica's sequential SRM test flags a mismatch. */
  srmDetected = false;
  private readonly primaryIndex: number;
  private readonly guardrailIndex: number;
  private readonly guardrailMetric: string | null;
  private readonly guardrailMargin: number;
  private readonly primary = newComparison();
  private readonly guardrail = newComparison();
  private readonly lastStep: number;
  private readonly srmPriors: [number, number];
  private readonly srmLogWeights: [number, number];
  private readonly srmConstant: number;
  // the last reading's numbers, for the checks
  private primaryHalfWidth = NaN;
  /** The primary's always-valid p-value at this look (msprt.ts: min(1, 1/Λ), 1 without information); NaN without a primary. */
  primaryPValue = NaN;
  /** The SRM test's p-value at this look, min(1, 1/BF). */
  srmPValue = 1;
  private guardrailHalfWidth = NaN;
  private guardrailAbsoluteMargin = NaN;
  private probabilityBetter = NaN;
  private lossChooseTreatment = NaN;
  private lossChooseControl = NaN;
  private logBayesFactor = 0;

  constructor(
    private readonly policy: RolloutPolicy,
    metrics: readonly string[],
    weights: { control: number; treatment: number },
    hasRequestData: boolean,
  ) {
    this.primaryIndex = metrics.indexOf(policy.metric);
    const business = businessGuardrailMetric(policy);
    this.guardrailMetric = business;
    this.guardrailIndex = business === null ? -1 : metrics.indexOf(business);
    this.guardrailMargin =
      policy.guardrails.businessMetric === false ? 0 : policy.guardrails.businessMetric.margin;
    this.lastStep = policy.steps.length - 1;
    this.supported =
      policy.decisionRule !== 'fixed' &&
      policy.secondaryMetrics.length === 0 &&
      !hasRequestData &&
      this.primaryIndex >= 0 &&
      (business === null || this.guardrailIndex >= 0);
    const total = weights.control + weights.treatment;
    const theta: [number, number] = [weights.control / total, weights.treatment / total];
    this.srmPriors = [DEFAULT_SRM_CONCENTRATION * theta[0], DEFAULT_SRM_CONCENTRATION * theta[1]];
    this.srmLogWeights = [Math.log(theta[0]), Math.log(theta[1])];
    this.srmConstant =
      logGamma(this.srmPriors[0] + this.srmPriors[1]) -
      logGamma(this.srmPriors[0]) -
      logGamma(this.srmPriors[1]);
  }

  /** Reads the look (`cells[step][arm][metric]`, arm 0 the control); the reading is in `certifiedHold` and `srmDetected`. */
  read(cells: ReadonlyArray<ReadonlyArray<ReadonlyArray<MetricCell>>>, state: ScreenState): void {
    this.logBayesFactor = srmLogBayesFactor(
      cells,
      this.primaryIndex,
      this.srmPriors,
      this.srmLogWeights,
      this.srmConstant,
    );
    this.srmPValue = Math.min(1, Math.exp(-this.logBayesFactor));
    this.srmDetected = this.srmPValue < this.policy.srmAlpha;
    this.certifiedHold = this.supported && this.certify(cells, state);
  }

  private certify(
    cells: ReadonlyArray<ReadonlyArray<ReadonlyArray<MetricCell>>>,
    state: ScreenState,
  ): boolean {
    const { policy } = this;
    const cuped = policy.cuped.enabled;
    stratified(cells, this.primaryIndex, cuped, this.primary);
    if (this.guardrailIndex >= 0) stratified(cells, this.guardrailIndex, cuped, this.guardrail);
    this.computeBounds();
    const timedOut = state.nowMs - state.testStartedAtMs >= policy.maxDurationMs;
    if (timedOut) return false;
    const p = this.primary;
    if (!p.ok || p.unitsControl < policy.minExposuresPerArm || p.unitsTreatment < policy.minExposuresPerArm)
      return true;
    if (!this.guardrailSafe()) return false;
    const waitAtStep = state.nowMs - state.stepStartedAtMs < policy.minStepDurationMs;
    if (state.step < this.lastStep) return waitAtStep && this.primaryNotWorse();
    if (waitAtStep) return this.primaryNotWorse();
    return this.primaryNotWorse() && this.primaryNotBetter();
  }

  private computeBounds(): void {
    const { policy, primary: p, guardrail: g } = this;
    this.primaryHalfWidth = NaN;
    this.primaryPValue = p.ok ? 1 : NaN;
    this.probabilityBetter = NaN;
    this.lossChooseTreatment = NaN;
    this.lossChooseControl = NaN;
    if (p.ok && hasInformation(p.difference, p.variance)) {
      const scale = Math.abs(p.controlMean) > 0 ? Math.abs(p.controlMean) : Math.abs(p.treatmentMean);
      const tau2raw = (policy.minimumDetectableEffect * scale) ** 2;
      const tau2 = tau2raw > 0 ? tau2raw : 1;
      this.primaryHalfWidth = halfWidth(p.variance, tau2, policy.alpha);
      const logLikelihoodRatio =
        -0.5 * Math.log1p(tau2 / p.variance) +
        (tau2 * p.difference * p.difference) / (2 * p.variance * (p.variance + tau2));
      this.primaryPValue = Math.min(1, Math.exp(-logLikelihoodRatio));
    }
    if (p.ok && policy.decisionRule === 'bayesian') {
      // The posterior of the difference, normal: exact for means (normal-posterior.ts), the normal
      // approximation of the two beta posteriors for proportions (beta-binomial.ts is exact).
      let mu = NaN;
      let sigma = NaN;
      let scale = NaN;
      if (metricKind(policy, policy.metric) === 'proportion') {
        const ac = 1 + p.pooledControlSum;
        const bc = 1 + p.pooledControlUnits - p.pooledControlSum;
        const at = 1 + p.pooledTreatmentSum;
        const bt = 1 + p.pooledTreatmentUnits - p.pooledTreatmentSum;
        const mc = ac / (ac + bc);
        mu = at / (at + bt) - mc;
        sigma = Math.sqrt(
          (ac * bc) / ((ac + bc) ** 2 * (ac + bc + 1)) + (at * bt) / ((at + bt) ** 2 * (at + bt + 1)),
        );
        // Below this the beta posteriors are too skewed for the loss approximation: no loss shortcut.
        if (Math.min(p.pooledControlSum, p.pooledTreatmentSum) >= LOSS_MINIMUM_CONVERSIONS) scale = mc;
      } else if (p.variance > 0 && Number.isFinite(p.variance)) {
        mu = p.difference;
        sigma = Math.sqrt(p.variance);
        scale = Math.abs(p.controlMean);
      }
      if (sigma > 0) {
        const z = mu / sigma;
        const density = sigma * normalPdf(z);
        this.probabilityBetter = normalCdf(z);
        if (scale > 0) {
          this.lossChooseTreatment = Math.max(0, density - mu * normalCdf(-z)) / scale;
          this.lossChooseControl = Math.max(0, density + mu * normalCdf(z)) / scale;
        }
      }
    }
    this.guardrailHalfWidth = NaN;
    this.guardrailAbsoluteMargin = NaN;
    if (this.guardrailIndex >= 0 && g.ok) {
      const margin = this.guardrailMargin * Math.abs(g.controlMean);
      this.guardrailAbsoluteMargin = margin;
      // The analysis passes the standard error squared back in as the variance.
      const variance = Math.sqrt(g.variance) ** 2;
      if (margin > 0 && variance > 0 && hasInformation(g.difference, variance)) {
        this.guardrailHalfWidth = halfWidth(variance, margin * margin, 2 * policy.guardrails.alpha);
      }
    }
  }

  private guardrailSafe(): boolean {
    if (this.guardrailIndex < 0 || !this.guardrail.ok) return true;
    const hw = this.guardrailHalfWidth;
    if (Number.isNaN(hw)) return true; // no margin or no variance: the analysis finds no evidence either way
    // breached when the upper end D + hw < −margin (higher is better)
    return this.guardrail.difference + hw + this.guardrailAbsoluteMargin > BOUNDARY_MARGIN * hw;
  }

  private primaryNotWorse(): boolean {
    if (this.policy.decisionRule === 'bayesian') {
      const pb = this.probabilityBetter;
      if (Number.isNaN(pb)) return false;
      const { probabilityToPromote, maxExpectedLoss } = this.policy.bayesian;
      return (
        1 - pb < probabilityToPromote - PROBABILITY_MARGIN ||
        this.lossChooseControl > maxExpectedLoss * (1 + LOSS_MARGIN)
      );
    }
    const hw = this.primaryHalfWidth;
    if (Number.isNaN(hw)) return false;
    return this.primary.difference + hw > BOUNDARY_MARGIN * hw;
  }

  private primaryNotBetter(): boolean {
    if (this.policy.decisionRule === 'bayesian') {
      const pb = this.probabilityBetter;
      if (Number.isNaN(pb)) return false;
      const { probabilityToPromote, maxExpectedLoss } = this.policy.bayesian;
      return (
        pb < probabilityToPromote - PROBABILITY_MARGIN ||
        this.lossChooseTreatment > maxExpectedLoss * (1 + LOSS_MARGIN)
      );
    }
    const hw = this.primaryHalfWidth;
    if (Number.isNaN(hw)) return false;
    return hw - this.primary.difference > BOUNDARY_MARGIN * hw;
  }

  /**
   * Compares the last reading with the real analysis of the same look (before anything carried
   * from earlier looks is applied to it); throws on any disagreement.
   */
  check(analysis: AbAnalysis, where: string): void {
    const fail = (what: string) => {
      throw new Error(`look screen disagrees with the analysis at ${where}: ${what}`);
    };
    if (
      !close(
        analysis.sampleRatioMismatch.logBayesFactor,
        this.logBayesFactor,
        1e-9,
        Math.max(1000, Math.abs(this.logBayesFactor)),
      )
    ) {
      fail(
        `SRM log Bayes factor ${analysis.sampleRatioMismatch.logBayesFactor} vs replica ${this.logBayesFactor}`,
      );
    }
    if (!this.supported) return;
    const t = analysis.treatments[0];
    const m = t?.primary ?? null;
    const p = this.primary;
    if ((m === null) !== !p.ok) fail(`primary present ${m !== null}, replica ${p.ok}`);
    if (!m) return;
    if (m.units.control !== p.unitsControl || m.units.treatment !== p.unitsTreatment) {
      fail(
        `primary units ${m.units.control}/${m.units.treatment} vs replica ${p.unitsControl}/${p.unitsTreatment}`,
      );
    }
    if (!Number.isNaN(this.primaryHalfWidth)) {
      const [lo, hi] = m.sequential.interval;
      const hw = this.primaryHalfWidth;
      const scale = Math.abs(p.difference) + hw;
      if (
        !close(lo, p.difference - hw, RELATIVE_TOLERANCE, scale) ||
        !close(hi, p.difference + hw, RELATIVE_TOLERANCE, scale)
      ) {
        fail(`primary interval [${lo}, ${hi}] vs replica [${p.difference - hw}, ${p.difference + hw}]`);
      }
    } else if (Number.isFinite(m.sequential.interval[0]))
      fail(`primary interval finite, replica has no information`);
    if (!close(m.sequential.pValue, this.primaryPValue, 1e-9)) {
      fail(`primary p-value ${m.sequential.pValue} vs replica ${this.primaryPValue}`);
    }
    if (this.policy.decisionRule === 'bayesian') {
      const exact = m.bayesian?.probabilityTreatmentBetter;
      if (
        exact === undefined ||
        Number.isNaN(this.probabilityBetter) ||
        Math.abs(exact - this.probabilityBetter) > PROBABILITY_TOLERANCE
      ) {
        fail(`P(better) ${exact} vs replica's normal approximation ${this.probabilityBetter}`);
      }
      const limit = this.policy.bayesian.maxExpectedLoss;
      const losses = m.bayesian?.relativeExpectedLoss;
      const pairs: Array<[string, number | undefined, number]> = [
        ['choosing the treatment', losses?.chooseTreatment, this.lossChooseTreatment],
        ['choosing the control', losses?.chooseControl, this.lossChooseControl],
      ];
      for (const [what, real, approx] of pairs) {
        if (!(approx >= limit / 4 && approx <= limit * 4)) continue; // only near the limit does it matter
        if (real === undefined || Math.abs(approx / real - 1) > LOSS_TOLERANCE)
          fail(`expected loss of ${what} ${real} vs replica's ${approx}`);
      }
    }
    if (this.guardrailIndex >= 0) {
      const g = t?.guardrails.find((x) => x.metric === this.guardrailMetric);
      const expectGuardrail = this.guardrail.ok && this.guardrailAbsoluteMargin > 0;
      if (!!g !== expectGuardrail) fail(`guardrail present ${!!g}, replica ${expectGuardrail}`);
      if (g && !Number.isNaN(this.guardrailHalfWidth)) {
        const hw = this.guardrailHalfWidth;
        const d = this.guardrail.difference;
        if (
          !close(g.bound, d - hw, RELATIVE_TOLERANCE, Math.abs(d) + hw) ||
          !close(g.margin, this.guardrailAbsoluteMargin, RELATIVE_TOLERANCE)
        ) {
          fail(
            `guardrail bound ${g.bound} margin ${g.margin} vs replica ${d - hw} margin ${this.guardrailAbsoluteMargin}`,
          );
        }
      }
    }
  }
}

function close(a: number, b: number, relative: number, scale = Math.max(Math.abs(a), Math.abs(b))): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= relative * scale + 1e-300;
}

function hasInformation(estimate: number, variance: number): boolean {
  return Number.isFinite(estimate) && Number.isFinite(variance) && variance > 0;
}

/** msprt.ts's confidenceSequenceHalfWidth. */
function halfWidth(variance: number, mixingVariance: number, alpha: number): number {
  return Math.sqrt(
    variance *
      (1 + variance / mixingVariance) *
      (2 * Math.log(1 / alpha) + Math.log1p(mixingVariance / variance)),
  );
}

/** stratifiedDifference + cupedComparison of one metric, into `out`. */
function stratified(
  cells: ReadonlyArray<ReadonlyArray<ReadonlyArray<MetricCell>>>,
  metric: number,
  cuped: boolean,
  out: Comparison,
): void {
  let total = 0;
  out.pooledControlUnits = 0;
  out.pooledControlSum = 0;
  out.pooledTreatmentUnits = 0;
  out.pooledTreatmentSum = 0;
  for (let s = 0; s < cells.length; s++) {
    const c = cells[s]![0]![metric]!;
    const t = cells[s]![1]![metric]!;
    out.pooledControlUnits += c.units;
    out.pooledControlSum += c.sum;
    out.pooledTreatmentUnits += t.units;
    out.pooledTreatmentSum += t.sum;
    if (c.units >= 2 && t.units >= 2) total += c.units + t.units;
  }
  out.ok = total > 0;
  out.difference = 0;
  out.variance = 0;
  out.controlMean = 0;
  out.treatmentMean = 0;
  out.unitsControl = 0;
  out.unitsTreatment = 0;
  if (!out.ok) return;
  for (let s = 0; s < cells.length; s++) {
    const c = cells[s]![0]![metric]!;
    const t = cells[s]![1]![metric]!;
    if (c.units < 2 || t.units < 2) continue;
    const w = (c.units + t.units) / total;
    // cuped.ts
    const nc = c.units;
    const nt = t.units;
    const cMeanY = c.sum / nc;
    const tMeanY = t.sum / nt;
    const cx = cuped ? c.covariateSum : 0;
    const tx = cuped ? t.covariateSum : 0;
    const cxx = cuped ? c.covariateSumSquares : 0;
    const txx = cuped ? t.covariateSumSquares : 0;
    const cMeanX = cx / nc;
    const tMeanX = tx / nt;
    const cSyy = Math.max(0, c.sumSquares - c.sum * cMeanY);
    const tSyy = Math.max(0, t.sumSquares - t.sum * tMeanY);
    let cSxx = Math.max(0, cxx - cx * cMeanX);
    if (cSxx <= 1e-12 * cxx) cSxx = 0;
    let tSxx = Math.max(0, txx - tx * tMeanX);
    if (tSxx <= 1e-12 * txx) tSxx = 0;
    const cSxy = cSxx > 0 ? (cuped ? c.crossSum : 0) - cx * cMeanY : 0;
    const tSxy = tSxx > 0 ? (cuped ? t.crossSum : 0) - tx * tMeanY : 0;
    const sxx = cSxx + tSxx;
    const theta = sxx > 0 ? (cSxy + tSxy) / sxx : 0;
    const pooledX = (cx + tx) / (nc + nt);
    const controlMean = cMeanY - theta * (cMeanX - pooledX);
    const treatmentMean = tMeanY - theta * (tMeanX - pooledX);
    const variance =
      Math.max(0, cSyy - 2 * theta * cSxy + theta * theta * cSxx) / (nc - 1) / nc +
      Math.max(0, tSyy - 2 * theta * tSxy + theta * theta * tSxx) / (nt - 1) / nt;
    out.difference += w * (treatmentMean - controlMean);
    out.variance += w * w * variance;
    out.controlMean += w * cMeanY;
    out.treatmentMean += w * tMeanY;
    out.unitsControl += nc;
    out.unitsTreatment += nt;
  }
}

const HALF_LOG_TWO_PI = 0.9189385332046728;

/** log Γ(x): Stirling's series (4 terms, error < 1e-16 relative for x ≥ 20) there, else the package's Lanczos. */
function fastLogGamma(x: number): number {
  if (x < 20) return logGamma(x);
  const r = 1 / x;
  const r2 = r * r;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    HALF_LOG_TWO_PI +
    r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 - r2 / 1680)))
  );
}

/** sequential-srm.ts over the strata with units, for two variants. */
function srmLogBayesFactor(
  cells: ReadonlyArray<ReadonlyArray<ReadonlyArray<MetricCell>>>,
  metric: number,
  priors: [number, number],
  logWeights: [number, number],
  constant: number,
): number {
  let total = 0;
  const a0 = priors[0];
  const a1 = priors[1];
  for (let s = 0; s < cells.length; s++) {
    const x0 = cells[s]![0]![metric]!.units;
    const x1 = cells[s]![1]![metric]!.units;
    if (x0 + x1 === 0) continue;
    total +=
      fastLogGamma(a0 + x0) +
      fastLogGamma(a1 + x1) -
      x0 * logWeights[0] -
      x1 * logWeights[1] +
      constant -
      fastLogGamma(a0 + a1 + x0 + x1);
  }
  return total;
}
