import { describe, expect, it } from 'vitest';
import type { AbReport, AbTest, AbVariantReport } from '../api/api-types.ts';
import { currentTraffic, intervalScale, reasonLines, variantVerdict, verdictSentence } from './ab-report-view.ts';

const control: AbVariantReport = { variant: 'control', isControl: true, exposures: 1000, conversions: 100, rate: 0.1, revenue: 0, vsControl: null };
const treatment = (significant: boolean, difference: number, pValue: number | null): AbVariantReport => ({
  variant: 'challenger',
  isControl: false,
  exposures: 1000,
  conversions: 130,
  rate: 0.13,
  revenue: 0,
  vsControl: { difference, relativeLift: difference / 0.1, z: 2.1, pValue, confidenceInterval: [difference - 0.02, difference + 0.02], significant },
});

describe('variant verdicts', () => {
  it('says better, worse, inconclusive or no data', () => {
    expect(variantVerdict(control)).toBe('control');
    expect(variantVerdict(treatment(true, 0.03, 0.01))).toBe('better');
    expect(variantVerdict(treatment(true, -0.03, 0.01))).toBe('worse');
    expect(variantVerdict(treatment(false, 0.01, 0.4))).toBe('inconclusive');
    expect(variantVerdict(treatment(false, 0, null))).toBe('no data');
    expect(verdictSentence(treatment(true, 0.03, 0.01), 0.05)).toBe('significantly better than control (p = 0.010, +3.00 pp)');
    expect(verdictSentence(treatment(false, 0.01, 0.4), 0.05)).toBe('no significant difference at α = 0.05 (p = 0.400, +1.00 pp)');
    expect(verdictSentence(control, 0.05)).toBe('control: 10.00% of 1,000 exposed units converted');
  });
});

describe('intervalScale', () => {
  it('places zero in the middle and fits the widest interval', () => {
    const report: AbReport = { abTestId: 't', name: 't', status: 'running', primaryMetric: 'conversion', alpha: 0.05, variants: [control, treatment(true, 0.03, 0.01)] };
    const scale = intervalScale(report);
    const bar = scale([0.01, 0.05]);
    expect(bar.zero).toBeCloseTo(0.5);
    expect(bar.right).toBeCloseTo((0.05 + 0.055) / 0.11);
    expect(bar.left).toBeGreaterThan(bar.zero);
  });
});

describe('currentTraffic and reasons', () => {
  const test: AbTest = {
    id: 't', name: 't', endpoint: 'e', experimentId: null, status: 'running', primaryMetric: 'conversion',
    policy: { steps: [0.05, 0.25, 0.5] }, currentStep: 1, decision: null, decisionReasons: [], startedAt: null, endedAt: null, createdAt: '', variants: [],
  };
  it('reads the traffic step of a running test', () => {
    expect(currentTraffic(test)).toBe(0.25);
    expect(currentTraffic({ ...test, status: 'promoted' })).toBe(1);
    expect(currentTraffic({ ...test, currentStep: 9 })).toBe(0.5);
    expect(currentTraffic({ ...test, policy: {} })).toBeNull();
  });
  it('prints reasons of any shape', () => {
    expect(reasonLines(['a', { message: 'b' }, { rule: 1 }])).toEqual(['a', 'b', '{"rule":1}']);
    expect(reasonLines(null)).toEqual([]);
  });
});
