/**
 * Recovery (docs/architecture.md, "Postgres is the source of truth; Redis is transport"). A run
 * that Postgres calls active but whose remaining stage jobs are gone from Redis (Redis flushed,
 * restarted without persistence) is re-enqueued from the first stage it has not finished.
 * Stages are idempotent, so a re-enqueue that races a still-running worker does no work twice.
 */
import type { Logger } from '@lathe/core';
import { STAGES, listActiveRuns, type Registry, type Stage } from '@lathe/registry';
import { enqueueRunFlow, removeRunJobs, runJobStates, type RunJobsContext } from './run-jobs.ts';

export interface ReconcileRunsResult {
  checked: number;
  requeued: Array<{ runId: string; fromStage: Stage }>;
}

const LIVE_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children', 'completed']);

export async function reconcileRuns(
  ctx: RunJobsContext & { registry: Registry; logger: Logger },
  options: { olderThanMs?: number } = {},
): Promise<ReconcileRunsResult> {
  const olderThan = Date.now() - (options.olderThanMs ?? 10_000);
  const runs = await listActiveRuns(ctx.registry);
  const requeued: ReconcileRunsResult['requeued'] = [];
  for (const run of runs) {
    // A run created a moment ago may be between its row and its flow (startRun).
    if (run.updatedAt.getTime() > olderThan) continue;
    const done = new Set(
      run.stages.filter((s) => s.status === 'succeeded' || s.status === 'skipped').map((s) => s.stage),
    );
    const fromStage = STAGES.find((stage) => !done.has(stage));
    if (!fromStage) continue;
    const states = await runJobStates(ctx, run.id);
    const remaining = STAGES.slice(STAGES.indexOf(fromStage));
    if (remaining.every((stage) => LIVE_STATES.has(states[stage]))) continue;
    ctx.logger.warn(
      { runId: run.id, fromStage, states },
      'run has lost its jobs; re-enqueueing from the recorded stage',
    );
    await removeRunJobs(ctx, run.id, { skipActive: true });
    await enqueueRunFlow(ctx, run.id, fromStage);
    requeued.push({ runId: run.id, fromStage });
  }
  return { checked: runs.length, requeued };
}
