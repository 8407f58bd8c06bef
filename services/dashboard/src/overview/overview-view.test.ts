import { describe, expect, it } from 'vitest';
import type { Deployment } from '@lathe/contract';
import { countRunsByStatus, liveDeployments, shadowSummary, stoppedDeployments } from './overview-view.ts';

const deployment = (
  id: string,
  endpoint: string,
  status: Deployment['status'],
  createdAt: string,
): Deployment => ({
  id,
  endpoint,
  modelVersionId: `mv-${id}`,
  runId: null,
  strategy: 'direct',
  status,
  traffic: status === 'active' ? 1 : 0,
  createdAt,
  updatedAt: createdAt,
  retiredAt: null,
  warmedAt: null,
  shadow: null,
  stoppedAt: null,
  stopReason: null,
});

describe('overview view', () => {
  it('counts runs by status in pipeline order, zeros included', () => {
    const runs = [{ status: 'failed' }, { status: 'running' }, { status: 'failed' }] as const;
    expect(countRunsByStatus(runs)).toEqual([
      ['queued', 0],
      ['running', 1],
      ['succeeded', 0],
      ['failed', 2],
      ['cancelled', 0],
    ]);
  });

  it('keeps active and rolling-out deployments, by endpoint then newest first', () => {
    const live = liveDeployments([
      deployment('a', 'shop', 'retired', '2026-01-01T00:00:00Z'),
      deployment('b', 'shop', 'active', '2026-01-02T00:00:00Z'),
      deployment('c', 'images', 'rolling_out', '2026-01-03T00:00:00Z'),
      deployment('d', 'shop', 'rolled_back', '2026-01-04T00:00:00Z'),
      deployment('e', 'shop', 'active', '2026-01-05T00:00:00Z'),
    ]);
    expect(live.map((d) => d.id)).toEqual(['c', 'e', 'b']);
  });

  it('lists the stopped rollouts, last stopped first, and nothing merely retired', () => {
    const stopped = (id: string, at: string) => ({
      ...deployment(id, 'shop', 'retired', '2026-01-01T00:00:00Z'),
      stoppedAt: at,
      stopReason: `reason ${id}`,
    });
    const list = stoppedDeployments([
      stopped('a', '2026-01-02T00:00:00Z'),
      deployment('b', 'shop', 'retired', '2026-01-03T00:00:00Z'),
      stopped('c', '2026-01-04T00:00:00Z'),
      deployment('d', 'shop', 'active', '2026-01-05T00:00:00Z'),
    ]);
    expect(list.map((d) => d.id)).toEqual(['c', 'a']);
    expect(stoppedDeployments([stopped('a', '2026-01-02T00:00:00Z')], 0)).toEqual([]);
  });

  it('sums up a shadow deployment in one line, and nothing for other strategies or before any answer', () => {
    const shadow = {
      answers: 250,
      errors: 3,
      agreementRate: 0.92,
      meanScoreDelta: 0.0123,
      meanAbsScoreDelta: 0.05,
      meanShadowLatencyMs: 4.12,
      meanProductionLatencyMs: 3.2,
    };
    expect(shadowSummary({ shadow })).toBe(
      '92.0% agree over 247 answers, 3 failed; Δ score +0.012; 4.1 ms vs 3.2 ms',
    );
    expect(
      shadowSummary({
        shadow: { ...shadow, answers: 4, errors: 4, agreementRate: null, meanScoreDelta: null },
      }),
    ).toBe('no answer compared (4 failed); 4.1 ms vs 3.2 ms');
    expect(shadowSummary({ shadow: { ...shadow, answers: 0 } })).toBeNull();
    expect(shadowSummary({ shadow: null })).toBeNull();
  });
});
