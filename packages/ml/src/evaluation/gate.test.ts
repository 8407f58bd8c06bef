import { describe, expect, it } from 'vitest';
import { metricDirection } from '@lathe/contract';
import { LatheError } from '@lathe/core';
import {
  applyGate,
  compareEvaluations,
  evaluateClassification,
  overrideVerdict,
  parseGate,
  trivialBaselineOf,
  trivialMetrics,
} from './index.ts';

const gate = parseGate({
  thresholds: [
    { metric: 'auc', op: '>=', value: 0.8 },
    { metric: 'auc', maxDecrease: 0.01 },
    { metric: 'logLoss', maxIncrease: 0.05, relative: true },
  ],
});

describe('parseGate', () => {
  it('accepts absolute and change-vs-baseline thresholds', () => {
    expect(gate.thresholds).toHaveLength(3);
  });

  it('refuses a threshold whose direction contradicts the metric, naming it', () => {
    expect(() => parseGate({ thresholds: [{ metric: 'rmse', maxDecrease: 0.1 }] })).toThrow(
      /rmse: lower is better.*use maxIncrease/,
    );
    expect(() => parseGate({ thresholds: [{ metric: 'auc', maxIncrease: 0.1 }] })).toThrow(/use maxDecrease/);
    expect(() => parseGate({ thresholds: [{ metric: 'auc', op: '>', value: 0.8 }] })).toThrow(LatheError);
    expect(() => parseGate({ thresholds: [{ metric: 'auc', maxDecrease: -0.1 }] })).toThrow(/invalid gate/);
  });

  it('knows metric directions, @k included', () => {
    expect(metricDirection('ndcg@10')).toBe('higher');
    expect(metricDirection('rmse')).toBe('lower');
    expect(metricDirection('top5Accuracy')).toBe('higher');
    expect(metricDirection('revenue')).toBeUndefined();
  });
});

describe('applyGate', () => {
  it('fails a candidate worse than production beyond the allowed change, with a reason per threshold', () => {
    const result = applyGate({ auc: 0.812, logLoss: 0.3 }, { auc: 0.83, logLoss: 0.3 }, gate);
    expect(result.verdict).toBe('failed');
    expect(result.baselineUsed).toBe(true);
    expect(result.reasons).toEqual([
      'auc 0.812 ≥ required 0.800',
      'auc 0.812 < required 0.820 (baseline 0.830 − 0.01)',
      'logLoss 0.300 ≤ required 0.315 (baseline 0.300 + 5%)',
    ]);
    expect(result.checks[1]).toMatchObject({
      kind: 'baseline',
      status: 'failed',
      actual: 0.812,
      baseline: 0.83,
    });
    expect(result.checks[1]!.required).toBeCloseTo(0.82, 15);
  });

  it('passes a better candidate, and one exactly at the allowed change (float rounding forgiven)', () => {
    expect(applyGate({ auc: 0.86, logLoss: 0.28 }, { auc: 0.83, logLoss: 0.3 }, gate).verdict).toBe('passed');
    // 0.83 − 0.01 is 0.8199999999999999 in floating point.
    expect(applyGate({ auc: 0.82, logLoss: 0.3 }, { auc: 0.83, logLoss: 0.3 }, gate).verdict).toBe('passed');
  });

  it('without a production model, the absolute thresholds alone decide and the verdict says so', () => {
    const passed = applyGate({ auc: 0.81, logLoss: 0.9 }, null, gate);
    expect(passed.verdict).toBe('passed');
    expect(passed.baselineUsed).toBe(false);
    expect(passed.reasons[0]).toBe(
      'no production model to compare with: the 1 absolute threshold alone decides',
    );
    expect(passed.checks.filter((c) => c.status === 'skipped')).toHaveLength(2);
    expect(applyGate({ auc: 0.79, logLoss: 0.3 }, null, gate).verdict).toBe('failed');
  });

  it('a missing or undefined metric is a failed check with a clear reason', () => {
    const missing = applyGate({ accuracy: 0.9 }, null, [{ metric: 'auc', op: '>=', value: 0.8 }]);
    expect(missing.verdict).toBe('failed');
    expect(missing.reasons[1]).toBe(
      "auc is missing from the candidate's metrics (available: accuracy): failed",
    );
    const undefinedAuc = applyGate(
      {
        metrics: { accuracy: 0.9 },
        undefinedMetrics: { auc: { code: 'single_class', reason: 'only class 1 present' } },
      },
      { auc: 0.8 },
      [{ metric: 'auc', maxDecrease: 0 }],
    );
    expect(undefinedAuc.reasons[0]).toBe('auc is undefined for the candidate (only class 1 present): failed');
    const baselineLacks = applyGate({ auc: 0.9 }, { accuracy: 0.8 }, [{ metric: 'auc', maxDecrease: 0 }]);
    expect(baselineLacks.reasons[0]).toMatch(/^auc is missing from the production baseline's metrics/);
  });

  it('shows more digits only when 3 would hide the difference', () => {
    const result = applyGate({ rmse: 0.92004 }, null, [{ metric: 'rmse', op: '<=', value: 0.92 }]);
    expect(result.reasons[1]).toBe('rmse 0.92004 > required 0.92000');
  });

  it('gates on summaries: a model that got worse on the same split fails, a better one passes', () => {
    const yTrue = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1];
    const production = evaluateClassification({
      numClasses: 2,
      yTrue,
      scores: [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.2, 0.6],
    });
    const worse = evaluateClassification({
      numClasses: 2,
      yTrue,
      scores: [0.5, 0.3, 0.6, 0.6, 0.7, 0.4, 0.4, 0.5, 0.2, 0.6],
    });
    const better = evaluateClassification({
      numClasses: 2,
      yTrue,
      scores: [0.1, 0.2, 0.2, 0.3, 0.7, 0.8, 0.6, 0.9, 0.2, 0.6],
    });
    const thresholds = parseGate({
      thresholds: [
        { metric: 'auc', maxDecrease: 0.01 },
        { metric: 'f1', op: '>=', value: 0.5 },
      ],
    });
    const failed = applyGate(worse, production, thresholds);
    expect(failed.verdict).toBe('failed');
    expect(failed.reasons[0]).toMatch(/^auc 0\.\d+ < required 0\.\d+ \(baseline 0\.940 − 0\.01\)$/);
    expect(applyGate(better, production, thresholds).verdict).toBe('passed');
  });
});

describe('overrideVerdict', () => {
  const failed = { id: 'ev-1', verdict: 'failed' as const };
  it('returns the fields to store and the audit entry', () => {
    const at = new Date('2026-11-28T12:00:00Z');
    const result = overrideVerdict(failed, {
      reason: '  AUC drop is noise on a small split  ',
      actor: 'key:alice',
      at,
    });
    expect(result).toMatchObject({
      verdict: 'overridden',
      overrideReason: 'AUC drop is noise on a small split',
      overriddenBy: 'key:alice',
      overriddenAt: at,
    });
    expect(result.audit).toMatchObject({
      action: 'evaluation.override',
      entityId: 'ev-1',
      before: { verdict: 'failed' },
    });
  });

  it('needs a reason, an actor and a failed verdict', () => {
    expect(() => overrideVerdict(failed, { reason: '   ', actor: 'key:alice' })).toThrow(
      expect.objectContaining({ code: 'override_reason_required' }),
    );
    expect(() => overrideVerdict(failed, { reason: 'why', actor: '' })).toThrow(
      expect.objectContaining({ code: 'override_actor_required' }),
    );
    expect(() => overrideVerdict({ id: 'ev-2', verdict: 'passed' }, { reason: 'why', actor: 'a' })).toThrow(
      expect.objectContaining({ code: 'verdict_not_failed', httpStatus: 409 }),
    );
  });
});

describe('compareEvaluations', () => {
  const a = {
    id: 'a',
    datasetVersionId: 'dv1',
    split: 'test',
    metrics: { auc: 0.8, rmse: 1.0, custom: 3, onlyA: 1 },
  };
  const b = {
    id: 'b',
    datasetVersionId: 'dv1',
    split: 'test',
    metrics: { auc: 0.85, rmse: 1.1, custom: 3, onlyB: 2 },
  };

  it('says per metric which is better, direction-aware', () => {
    const result = compareEvaluations(a, b);
    const byName = Object.fromEntries(result.metrics.map((m) => [m.metric, m]));
    expect(byName.auc).toMatchObject({ a: 0.8, b: 0.85, better: 'b', direction: 'higher' });
    expect(byName.auc!.delta).toBeCloseTo(0.05, 15);
    expect(byName.auc!.relativeDelta).toBeCloseTo(0.0625, 15);
    expect(byName.rmse).toMatchObject({ better: 'a', direction: 'lower' });
    expect(byName.custom).toMatchObject({ better: 'equal' });
    expect(result.onlyInA).toEqual(['onlyA']);
    expect(result.onlyInB).toEqual(['onlyB']);
  });

  it('refuses evaluations on different dataset versions or splits', () => {
    expect(() => compareEvaluations(a, { ...b, split: 'validation' })).toThrow(
      expect.objectContaining({ code: 'evaluations_not_comparable' }),
    );
    expect(() => compareEvaluations(a, { ...b, datasetVersionId: 'dv2' })).toThrow(
      /dataset version dv1 split "test", b on dv2/,
    );
  });
});

describe('the trivial baseline', () => {
  // 94% "no": the shares of the customer table, where accuracy 0.906 passed unnoticed.
  const yTrue = [...new Array<number>(94).fill(0), ...new Array<number>(6).fill(1)];
  const names = ['no', 'yes'];
  const entropy = -(0.94 * Math.log(0.94) + 0.06 * Math.log(0.06));

  it('fails a classifier below the majority class with that reason, even with no threshold declared', () => {
    const trivial = trivialBaselineOf(yTrue, names, false);
    expect(trivialMetrics(trivial).accuracy).toBeCloseTo(0.94, 12);
    expect(trivialMetrics(trivial).logLoss).toBeCloseTo(entropy, 12);
    const result = applyGate({ accuracy: 0.906, auc: 0.71, logLoss: 0.2 }, null, [], { trivial });
    expect(result.verdict).toBe('failed');
    const accuracy = result.checks.find((c) => c.kind === 'trivial' && c.metric === 'accuracy')!;
    expect(accuracy.status).toBe('failed');
    expect(accuracy.reason).toBe(
      'trivial baseline: accuracy 0.906 does not beat 0.940 of always predicting no (the majority class): failed, the model is no better than the trivial baseline',
    );
    expect(result.reasons[0]).toBe(
      'no production model to compare with, and no absolute threshold: the trivial baseline alone decides',
    );
  });

  it('fails on AUC ≤ 0.5 or log loss above the label entropy, and passes a model that beats all three', () => {
    const trivial = trivialBaselineOf(yTrue, names, false);
    const constant = applyGate({ accuracy: 0.95, auc: 0.5, logLoss: 0.1 }, null, [], { trivial });
    expect(constant.checks.find((c) => c.metric === 'auc')!.status).toBe('failed');
    const overconfident = applyGate({ accuracy: 0.95, auc: 0.8, logLoss: entropy + 0.01 }, null, [], {
      trivial,
    });
    expect(overconfident.verdict).toBe('failed');
    expect(overconfident.checks.find((c) => c.metric === 'logLoss')!.reason).toContain(
      'of always predicting the class shares (no 94.0%, yes 6.0%): failed',
    );
    expect(applyGate({ accuracy: 0.95, auc: 0.8, logLoss: 0.2 }, null, [], { trivial }).verdict).toBe(
      'passed',
    );
  });

  it('reports but does not require accuracy when the threshold was moved for an imbalanced target', () => {
    const trivial = trivialBaselineOf(yTrue, names, true);
    const result = applyGate({ accuracy: 0.85, auc: 0.8, logLoss: 0.2 }, null, [], { trivial });
    expect(result.verdict).toBe('passed');
    expect(result.checks.find((c) => c.metric === 'accuracy')).toMatchObject({ status: 'skipped' });
  });
});
