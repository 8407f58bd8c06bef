import { describe, expect, it } from 'vitest';
import { describeGateRule } from './gate-rule.ts';

describe('describeGateRule', () => {
  it('describes absolute and baseline thresholds', () => {
    expect(describeGateRule({ metric: 'accuracy', op: '>=', value: 0.8 })).toBe('≥ 0.8');
    expect(describeGateRule({ metric: 'rmse', op: '<=', value: 1.2 })).toBe('≤ 1.2');
    expect(describeGateRule({ metric: 'auc', maxDecrease: 0.01 })).toBe('at most 0.01 below production');
    expect(describeGateRule({ metric: 'logLoss', maxIncrease: 0.05, relative: true })).toBe(
      'at most 5% above production',
    );
  });
});
