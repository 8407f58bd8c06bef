/**
 * One run = one BullMQ flow, a chain in which children finish first:
 *   deploy (root) ◄─ evaluate ◄─ train ◄─ ingest (leaf)
 * Starting from a later stage (retry, recovery) builds the same chain without the stages
 * already done. `failParentOnFailure` makes a stage that exhausts its attempts fail the stages
 * after it, so nothing runs on a missing result.
 */
import type { FlowJob, JobsOptions } from 'bullmq';
import { STAGES, type Stage } from '@lathe/registry';
import { LATHE_BACKOFF } from './backoff.ts';
import { STAGE_QUEUES, type JobSpec, type StagePayload, type TraceContext } from './catalog.ts';
import { stageJobId } from './job-ids.ts';

export function stageJobOptions(runId: string, stage: Stage, spec: JobSpec): JobsOptions {
  return {
    jobId: stageJobId(runId, stage),
    attempts: spec.attempts,
    backoff: { type: LATHE_BACKOFF, delay: spec.backoff.baseMs },
    // Completed jobs are only transport; the registry keeps the results.
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    // Failed jobs stay: they are the dead-letter view until the run is retried.
    removeOnFail: false,
  };
}

export function stagesFrom(fromStage: Stage): Stage[] {
  return STAGES.slice(STAGES.indexOf(fromStage));
}

/** `traces`: each stage job's trace context (its enqueue span, see job-tracing.ts), while tracing is on. */
export function buildRunFlow(
  runId: string,
  fromStage: Stage,
  specs: Record<Stage, JobSpec>,
  traces: Partial<Record<Stage, TraceContext>> = {},
): FlowJob {
  const stages = stagesFrom(fromStage);
  let node: FlowJob | undefined;
  for (const stage of stages) {
    const trace = traces[stage];
    const data: StagePayload = { runId, ...(trace ? { trace } : {}) };
    const opts: JobsOptions = { ...stageJobOptions(runId, stage, specs[stage]) };
    if (node) {
      // The child (earlier stage) failing for good fails this one too.
      node.opts = { ...node.opts, failParentOnFailure: true };
    }
    node = { name: stage, queueName: STAGE_QUEUES[stage], data, opts, ...(node ? { children: [node] } : {}) };
  }
  return node!;
}
