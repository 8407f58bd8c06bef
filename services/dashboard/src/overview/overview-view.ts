/**
 * The overview page's numbers from the lists the API returns: runs counted by status, and the
 * deployments that serve traffic now. Pure.
 */
import type { Deployment, Run, RunStatus } from '../api/api-types.ts';

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
