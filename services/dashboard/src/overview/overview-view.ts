/**
 * The overview page's numbers from the lists the API returns: runs counted by status, the
 * deployments that serve traffic now, the rollouts stopped lately, and how a shadow deployment
 * compares. Pure.
 */
import type { Deployment, Run, RunStatus } from '@lathe/contract';

export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** Every status, in pipeline order, with how many of `runs` have it (0 included). */
export function countRunsByStatus(runs: readonly Pick<Run, 'status'>[]): Array<[RunStatus, number]> {
  const counts = new Map<RunStatus, number>(RUN_STATUSES.map((s) => [s, 0]));
  for (const run of runs) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  return RUN_STATUSES.map((s) => [s, counts.get(s)!]);
}

/** Serving traffic: active or rolling out, by endpoint, then newest first. */
export function liveDeployments(deployments: readonly Deployment[]): Deployment[] {
  return deployments
    .filter((d) => d.status === 'active' || d.status === 'rolling_out')
    .sort((a, b) => a.endpoint.localeCompare(b.endpoint) || b.createdAt.localeCompare(a.createdAt));
}

/** Rollouts an operator ended (a shadow stopped, a candidate or standby dropped), last stopped first. */
export function stoppedDeployments(deployments: readonly Deployment[], limit = 5): Deployment[] {
  return deployments
    .filter((d) => d.stoppedAt !== null)
    .sort((a, b) => b.stoppedAt!.localeCompare(a.stoppedAt!))
    .slice(0, limit);
}

/**
 * A shadow deployment's comparison with production in one line ("92.0% agree over 250 answers,
 * 3 failed; Δ score +0.012; 4.1 ms vs 3.2 ms"), null for other strategies or before any answer.
 */
export function shadowSummary(deployment: Pick<Deployment, 'shadow'>): string | null {
  const shadow = deployment.shadow;
  if (!shadow || shadow.answers === 0) return null;
  const compared = shadow.answers - shadow.errors;
  const parts = [
    shadow.agreementRate === null
      ? `no answer compared (${shadow.errors} failed)`
      : `${(shadow.agreementRate * 100).toFixed(1)}% agree over ${compared} answers${shadow.errors > 0 ? `, ${shadow.errors} failed` : ''}`,
  ];
  if (shadow.meanScoreDelta !== null)
    parts.push(`Δ score ${shadow.meanScoreDelta >= 0 ? '+' : ''}${shadow.meanScoreDelta.toFixed(3)}`);
  if (shadow.meanShadowLatencyMs !== null && shadow.meanProductionLatencyMs !== null)
    parts.push(
      `${shadow.meanShadowLatencyMs.toFixed(1)} ms vs ${shadow.meanProductionLatencyMs.toFixed(1)} ms`,
    );
  return parts.join('; ');
}
