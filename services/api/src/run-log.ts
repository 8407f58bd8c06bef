/**
 * A run's log for people, rebuilt from its rows (Postgres is the source of truth; the workers'
 * full structured logs go to pino with `runId`, searchable in the log store).
 */
import type { Run, Stage, StageExecution } from '@lathe/registry';

export interface RunLogEntry {
  at: Date;
  level: 'info' | 'error';
  stage: Stage | null;
  message: string;
}

export function runLog(run: Run & { stages: StageExecution[] }): RunLogEntry[] {
  const entries: RunLogEntry[] = [
    {
      at: run.queuedAt,
      level: 'info',
      stage: null,
      message: `run queued (trigger ${run.trigger}, seed ${run.seed})`,
    },
  ];
  if (run.startedAt)
    entries.push({
      at: run.startedAt,
      level: 'info',
      stage: null,
      message: `run started${run.backend ? ` on backend ${run.backend}` : ''}`,
    });
  for (const s of run.stages) {
    if (s.startedAt) {
      entries.push({
        at: s.startedAt,
        level: 'info',
        stage: s.stage,
        message: `${s.stage} started (attempt ${Math.max(s.attempts, 1)})`,
      });
    }
    if (s.finishedAt) {
      const failed = s.status === 'failed';
      const detail = failed
        ? `: ${s.errorCode ?? 'error'}: ${s.errorMessage ?? ''}`
        : s.cacheHit
          ? ` (cache hit from run ${s.cachedFromRunId ?? '?'})`
          : '';
      entries.push({
        at: s.finishedAt,
        level: failed ? 'error' : 'info',
        stage: s.stage,
        message: `${s.stage} ${s.status}${detail}`,
      });
    }
  }
  if (run.cancelRequestedAt)
    entries.push({ at: run.cancelRequestedAt, level: 'info', stage: run.stage, message: 'cancel requested' });
  if (run.finishedAt) {
    const error = run.status === 'failed';
    entries.push({
      at: run.finishedAt,
      level: error ? 'error' : 'info',
      stage: run.errorStage,
      message: `run ${run.status}${error ? ` in ${run.errorStage ?? '?'}: ${run.errorCode ?? ''}: ${run.errorMessage ?? ''}` : ''}`,
    });
  }
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}
