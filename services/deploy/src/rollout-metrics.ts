/**
 * Prometheus metrics of the rollout monitor, for the alerts in infra/prometheus: each applied
 * decision by action (a `rollback` is what an operator is paged about), and how many running
 * A/B tests showed a sample-ratio mismatch at their last look (a broken assignment or logging
 * path, which makes every other number of the test untrustworthy).
 */
import { Counter, Gauge, type Registry as MetricsRegistry } from 'prom-client';
import type { MonitorResult } from './rollout-monitor.ts';

export interface RolloutMetrics {
  record(results: MonitorResult[]): void;
}

export function createRolloutMetrics(registry: MetricsRegistry): RolloutMetrics {
  const decisions = new Counter({
    name: 'lathe_rollout_decisions_total',
    help: 'Rollout decisions applied by the monitor, by action (hold, advance, promote, rollback, stop)',
    labelNames: ['action'],
    registers: [registry],
  });
  const srm = new Gauge({
    name: 'lathe_ab_tests_srm_detected',
    help: 'Running A/B tests whose last look detected a sample-ratio mismatch',
    registers: [registry],
  });
  // Present from the first scrape, so rate() and the alerts see a zero before the first event.
  for (const action of ['hold', 'advance', 'promote', 'rollback', 'stop']) decisions.inc({ action }, 0);
  srm.set(0);
  return {
    record(results) {
      for (const result of results) if (result.applied) decisions.inc({ action: result.decision.action });
      srm.set(results.filter((r) => r.analysis.sampleRatioMismatch.detected).length);
    },
  };
}
