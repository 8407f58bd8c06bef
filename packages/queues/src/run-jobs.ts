/**
 * The BullMQ side of one run: enqueue its flow from a stage, find its jobs, remove them.
 */
import type { FlowProducer, Queue } from 'bullmq';
import { ConflictError, LatheError, withDeadline } from '@lathe/core';
import { STAGES, type Stage } from '@lathe/registry';
import { stageJobId } from './job-ids.ts';
import { LATHE_SPAN_ATTRIBUTES, startEnqueueSpan } from './job-tracing.ts';
import { STAGE_QUEUES, type JobSpec, type TraceContext } from './catalog.ts';
import { buildRunFlow, stagesFrom } from './run-flow.ts';

export interface RunJobsContext {
  queues: Record<Stage, Queue>;
  flowProducer: FlowProducer;
  specs: Record<Stage, JobSpec>;
  /** How long adding a flow may take; default ENQUEUE_TIMEOUT_MS. */
  enqueueTimeoutMs?: number;
}

/**
 * BullMQ waits for a connection that has never been ready for as long as it takes: with Redis
 * down, adding a flow would hang the caller (an API request) until Redis came back.
 */
export const ENQUEUE_TIMEOUT_MS = 5_000;

export async function enqueueRunFlow(ctx: RunJobsContext, runId: string, fromStage: Stage): Promise<void> {
  const timeoutMs = ctx.enqueueTimeoutMs ?? ENQUEUE_TIMEOUT_MS;
  // One producer span per stage job of the flow (one Redis call adds them all).
  const spans = stagesFrom(fromStage).map((stage) => ({
    stage,
    span: startEnqueueSpan(STAGE_QUEUES[stage], stageJobId(runId, stage), {
      [LATHE_SPAN_ATTRIBUTES.runId]: runId,
      [LATHE_SPAN_ATTRIBUTES.stage]: stage,
    }),
  }));
  const traces: Partial<Record<Stage, TraceContext>> = {};
  for (const { stage, span } of spans) if (span.trace) traces[stage] = span.trace;
  try {
    await withDeadline(
      ctx.flowProducer.add(buildRunFlow(runId, fromStage, ctx.specs, traces)),
      timeoutMs,
      () => new Error(`Redis did not answer within ${timeoutMs} ms`),
    );
    for (const { span } of spans) span.end();
  } catch (error) {
    for (const { span } of spans) span.end(error);
    throw new LatheError(
      'enqueue_failed',
      `could not enqueue run ${runId} from ${fromStage}: ${(error as Error).message}; is Redis reachable?`,
      {
        httpStatus: 503,
        cause: error,
        details: { runId, fromStage },
      },
    );
  }
}

export async function runJobStates(ctx: RunJobsContext, runId: string): Promise<Record<Stage, string>> {
  const states = {} as Record<Stage, string>;
  for (const stage of STAGES) {
    const job = await ctx.queues[stage].getJob(stageJobId(runId, stage));
    states[stage] = job ? await job.getState() : 'missing';
  }
  return states;
}

/**
 * Removes a run's stage jobs (leaf first, so a parent is never left waiting on a removed child)
 * so its flow can be added again under the same deterministic ids. Refuses while one is active.
 */
export async function removeRunJobs(
  ctx: RunJobsContext,
  runId: string,
  options: { skipActive?: boolean } = {},
): Promise<void> {
  for (const stage of STAGES) {
    const job = await ctx.queues[stage].getJob(stageJobId(runId, stage));
    if (!job) continue;
    const state = await job.getState();
    if (state === 'active') {
      if (options.skipActive) continue;
      throw new ConflictError(
        'stage_job_active',
        `run ${runId}: the ${stage} job is running; wait for it to stop before retrying`,
        {
          runId,
          stage,
        },
      );
    }
    await ctx.queues[stage].remove(stageJobId(runId, stage), { removeChildren: false });
  }
}
