import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '@lathe/registry';
import { decide, gateOf } from './handler.ts';
import type { ModelScore } from './score-model.ts';

const generativeScore = (c2stAccuracy: number): ModelScore => ({
  summary: {
    kind: 'generative',
    rows: 200,
    metrics: { c2stAccuracy },
    undefinedMetrics: {},
    curves: {},
  },
  slices: [],
});
// Why the cast: decide reads a version's training metrics only, not the rest of its row.
const version = (metrics: Record<string, number>) => ({ metrics }) as unknown as ModelVersion;

describe('decide, for a generative model', () => {
  it("compares the candidate's training losses with production's, beside the two-sample test", () => {
    const gate = gateOf([{ metric: 'gLoss', maxIncrease: 0.1 }]);
    const passes = decide(
      generativeScore(0.9),
      generativeScore(0.95),
      gate,
      version({ gLoss: 1.0 }),
      version({ gLoss: 0.95 }),
    );
    expect(passes.verdict).toBe('passed');
    expect(passes.baselineUsed).toBe(true);
    const fails = decide(
      generativeScore(0.9),
      generativeScore(0.95),
      gate,
      version({ gLoss: 1.2 }),
      version({ gLoss: 0.95 }),
    );
    expect(fails.verdict).toBe('failed');
    expect(fails.reasons.join(' ')).toContain('gLoss');
  });
});
