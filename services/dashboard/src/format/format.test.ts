import { describe, expect, it } from 'vitest';
import {
  durationBetween,
  formatAgo,
  formatBytes,
  formatDurationMs,
  formatMetric,
  formatPercent,
  formatPointDelta,
  formatPValue,
  formatRelative,
  formatTimestamp,
  shortId,
} from './format.ts';

describe('format', () => {
  it('prints metrics with 4 significant digits and exponents at the extremes', () => {
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(12.5)).toBe('12.5');
    expect(formatMetric(1200)).toBe('1,200');
    expect(formatMetric(0.00012)).toBe('1.20e-4');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(Number.NaN)).toBe('—');
    expect(formatMetric(Number.POSITIVE_INFINITY)).toBe('∞');
  });

  it('prints shares, deltas and p-values', () => {
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPointDelta(0.012)).toBe('+1.20 pp');
    expect(formatPointDelta(-0.005)).toBe('−0.50 pp');
    expect(formatRelative(0.05)).toBe('+5.0%');
    expect(formatRelative(null)).toBe('—');
    expect(formatPValue(0.0004)).toBe('< 0.001');
    expect(formatPValue(0.04321)).toBe('0.043');
  });

  it('prints durations at every scale', () => {
    expect(formatDurationMs(850)).toBe('850 ms');
    expect(formatDurationMs(12_400)).toBe('12.4 s');
    expect(formatDurationMs(185_000)).toBe('3 min 05 s');
    expect(formatDurationMs(2 * 3600_000 + 7 * 60_000)).toBe('2 h 07 min');
    expect(formatDurationMs(-1)).toBe('—');
    expect(durationBetween('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 0)).toBe(60_000);
    expect(durationBetween('2026-01-01T00:00:00Z', null, Date.parse('2026-01-01T00:00:10Z'))).toBe(10_000);
    expect(durationBetween(null, null, 0)).toBeNull();
  });

  it('prints sizes, timestamps and ids', () => {
    expect(formatBytes('1536000')).toBe('1.54 MB');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes('x')).toBe('x');
    expect(formatTimestamp('2026-01-31T14:05:09.123Z')).toBe('2026-01-31 14:05:09 UTC');
    expect(formatAgo('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z'))).toBe('5 min ago');
    expect(shortId('0123456789abcdef')).toBe('01234567');
  });
});
