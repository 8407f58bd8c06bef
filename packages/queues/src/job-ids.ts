/**
 * Deterministic job ids: one job per (run, stage), so adding a run's flow twice adds nothing.
 *
 * The architecture names them `run:<id>:<stage>`. BullMQ 6.7 accepts a custom id with exactly two
 * colons, but its Lua scripts find a parent job by splitting the parent's key at its LAST colon
 * (includes/destructureJobKey.lua, used by moveToFinished for failParentOnFailure), so a colon
 * inside an id breaks flows. Lathe therefore uses `run-<id>-<stage>`.
 */
import type { Stage } from '@lathe/registry';
import { STAGES } from '@lathe/registry';

export function stageJobId(runId: string, stage: Stage): string {
  return `run-${runId}-${stage}`;
}

const STAGE_JOB_ID = new RegExp(`^run-(.+)-(${STAGES.join('|')})$`);

export function parseStageJobId(jobId: string | undefined): { runId: string; stage: Stage } | null {
  if (!jobId) return null;
  const match = STAGE_JOB_ID.exec(jobId);
  if (!match) return null;
  return { runId: match[1]!, stage: match[2] as Stage };
}

export function scheduleJobSchedulerId(scheduleId: string): string {
  return `schedule-${scheduleId}`;
}

export function scheduleIdFromSchedulerId(schedulerId: string): string | null {
  return schedulerId.startsWith('schedule-') ? schedulerId.slice('schedule-'.length) : null;
}
