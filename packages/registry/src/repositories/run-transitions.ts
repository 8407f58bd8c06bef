/**
 * The run lifecycle as data: which status may follow which. Pure, so the API can explain a
 * refusal before touching the database.
 *
 *   queued ──► running ──► succeeded
 *     │          ├──────► failed ──► queued (retry from the failed stage)
 *     │          └──────► cancelled
 *     ├──► cancelled
 *     └──► failed (e.g. an invalid job payload)
 */
import { LatheError } from '@lathe/core';
import type { RunStatus } from '../generated/prisma/client.ts';

export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['succeeded', 'failed', 'cancelled'],
  failed: ['queued'],
  succeeded: [],
  cancelled: [],
};

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running'];

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** Statuses from which `to` may be reached. */
export function sourcesOf(to: RunStatus): RunStatus[] {
  return (Object.keys(RUN_TRANSITIONS) as RunStatus[]).filter((from) => canTransition(from, to));
}

export class IllegalTransitionError extends LatheError {
  constructor(runId: string, from: RunStatus, to: RunStatus) {
    super('illegal_run_transition', `run ${runId} is ${from} and cannot become ${to}`, {
      httpStatus: 409,
      details: { runId, from, to, allowed: RUN_TRANSITIONS[from] },
    });
  }
}
