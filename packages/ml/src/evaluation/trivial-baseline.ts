/**
 * The trivial baseline every classifier must beat, whatever thresholds the experiment declares:
 * the constant model that knows only the class shares of the evaluated split. It scores
 *   - accuracy = the majority class's share (always predict the most frequent class);
 *   - logLoss = −Σ_c π_c log π_c (always predict the shares: the entropy of the labels);
 *   - auc = 0.5 (a constant score ranks no positive above a negative; Hanley & McNeil 1982).
 * A model that does not beat it on AUC and log loss carries no information; one below the
 * majority's accuracy with the default 0.5 threshold names the rare class worse than nobody.
 * When the decision threshold was moved for an imbalanced target (threshold moving trades
 * accuracy for recall of the rare class), accuracy is reported but not required.
 */
import type { GateCheck } from './gate.ts';
import { formatPair } from './format-metric.ts';

export interface TrivialBaseline {
  /** Share of each class on the evaluated split, in label order. */
  readonly classShares: readonly number[];
  readonly classNames: readonly string[];
  /** True when the model's decision threshold is not the default 0.5 / argmax. */
  readonly thresholdMoved: boolean;
}

export function trivialBaselineOf(
  yTrue: ArrayLike<number>,
  classNames: readonly string[],
  thresholdMoved: boolean,
): TrivialBaseline {
  const counts = new Array<number>(classNames.length).fill(0);
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i]!] = (counts[yTrue[i]!] ?? 0) + 1;
  const total = Math.max(1, yTrue.length);
  return { classShares: counts.map((c) => c / total), classNames, thresholdMoved };
}

export function trivialMetrics(baseline: TrivialBaseline): {
  accuracy: number;
  logLoss: number;
  auc: number;
} {
  const shares = baseline.classShares;
  return {
    accuracy: Math.max(...shares),
    logLoss: -shares.reduce((sum, p) => sum + (p > 0 ? p * Math.log(p) : 0), 0),
    auc: 0.5,
  };
}

const SLACK = 1e-12;

export function trivialBaselineChecks(
  metrics: Record<string, number>,
  baseline: TrivialBaseline,
): GateCheck[] {
  const trivial = trivialMetrics(baseline);
  const shares = baseline.classShares;
  const majority = baseline.classNames[shares.indexOf(trivial.accuracy)] ?? '?';
  const sharesText = baseline.classNames
    .map((name, i) => `${name} ${(shares[i]! * 100).toFixed(1)}%`)
    .join(', ');
  const checks: GateCheck[] = [];
  const compare = (
    metric: 'auc' | 'logLoss' | 'accuracy',
    op: '>=' | '<=',
    who: string,
    required: boolean,
  ): void => {
    const actual = metrics[metric];
    const base = trivial[metric];
    if (typeof actual !== 'number' || !Number.isFinite(actual)) {
      checks.push({
        metric,
        kind: 'trivial',
        status: required ? 'failed' : 'skipped',
        op,
        baseline: base,
        reason: `${metric} is not available, so the model cannot be shown to beat ${who}${required ? ': failed' : ''}`,
      });
      return;
    }
    const beats = op === '>=' ? actual > base + SLACK : actual < base - SLACK;
    const [a, b] = formatPair(actual, base);
    const verb = op === '>=' ? (beats ? 'beats' : 'does not beat') : beats ? 'beats' : 'does not beat';
    const status = beats ? 'passed' : required ? 'failed' : 'skipped';
    const tail = beats
      ? ''
      : required
        ? ': failed, the model is no better than the trivial baseline'
        : ' (not required: the decision threshold was moved for the imbalanced target)';
    checks.push({
      metric,
      kind: 'trivial',
      status,
      op,
      actual,
      baseline: base,
      reason: `trivial baseline: ${metric} ${a} ${verb} ${b} of ${who}${tail}`,
    });
  };
  compare('auc', '>=', 'a constant score', true);
  compare('logLoss', '<=', `always predicting the class shares (${sharesText})`, true);
  compare('accuracy', '>=', `always predicting ${majority} (the majority class)`, !baseline.thresholdMoved);
  return checks;
}
