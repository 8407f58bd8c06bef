/** The four stages of a run in order, each with status, attempts, progress and cache hit. */
import type { Run } from '@lathe/contract';
import { durationBetween, formatDurationMs } from '../format/format.ts';
import { stageTimeline } from '../runs/run-state.ts';
import { ProgressBar, StatusBadge } from './common.tsx';

export function StageTimeline({ run, now }: { run: Run; now: number }) {
  return (
    <ol className="timeline" aria-label="stages">
      {stageTimeline(run).map((stage) => (
        <li key={stage.stage} className={`stage stage-${stage.status}`} data-stage={stage.stage}>
          <div className="stage-name">{stage.stage}</div>
          <StatusBadge status={stage.status} />
          <ProgressBar value={stage.progress} status={stage.status} />
          <div className="stage-meta">
            {stage.attempts > 0 ? (
              <span>{stage.attempts === 1 ? '1 attempt' : `${stage.attempts} attempts`}</span>
            ) : null}
            {stage.cacheHit ? <span className="badge badge-info">cache hit</span> : null}
            {stage.startedAt ? (
              <span>{formatDurationMs(durationBetween(stage.startedAt, stage.finishedAt, now))}</span>
            ) : null}
          </div>
          {stage.errorCode || stage.errorMessage ? (
            <div className="stage-error">
              <code>{stage.errorCode}</code> {stage.errorMessage}
            </div>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
