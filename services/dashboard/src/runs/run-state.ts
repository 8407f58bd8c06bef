/**
 * The live state of a run page: the run (status, stages), its metric series and whether the
 * stream has ended, folded from the server-sent events of GET /runs/:id/events
 * (services/api/src/run-events.ts): `run` carries a full snapshot of status and stages,
 * `metric` one new point, `end` the final status. Pure, so the page and the tests share it.
 */
import type {
  MetricPoint,
  Run,
  RunEndEvent,
  RunMetricEvent,
  RunSnapshot,
  RunStatus,
  StageExecution,
  StageName,
} from '@lathe/contract';

export const STAGE_ORDER: readonly StageName[] = ['ingest', 'train', 'evaluate', 'deploy'];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface RunState {
  run: Run | null;
  series: Record<string, MetricPoint[]>;
  ended: boolean;
}

export type RunEvent =
  | { type: 'loaded'; run: Run; series: Record<string, MetricPoint[]> }
  | { type: 'run'; snapshot: RunSnapshot }
  | ({ type: 'metric' } & RunMetricEvent)
  | ({ type: 'end' } & RunEndEvent);

export const initialRunState: RunState = { run: null, series: {}, ended: false };

/** Inserts or replaces the point at `point.step`, keeping the series sorted by step. */
export function upsertPoint(series: readonly MetricPoint[], point: MetricPoint): MetricPoint[] {
  const at = series.findIndex((p) => p.step >= point.step);
  if (at === -1) return [...series, point];
  if (series[at]!.step === point.step) {
    if (series[at]!.value === point.value) return series as MetricPoint[];
    return [...series.slice(0, at), point, ...series.slice(at + 1)];
  }
  return [...series.slice(0, at), point, ...series.slice(at)];
}

/** Merges a snapshot's stages into the known ones (a snapshot lacks timestamps; keep them). */
function mergeStages(known: StageExecution[] | undefined, incoming: RunSnapshot['stages']): StageExecution[] {
  const byStage = new Map((known ?? []).map((s) => [s.stage, s]));
  for (const stage of incoming) {
    const previous = byStage.get(stage.stage);
    byStage.set(stage.stage, { errorCode: null, errorMessage: null, ...previous, ...stage });
  }
  return orderStages([...byStage.values()]);
}

export function orderStages(stages: StageExecution[]): StageExecution[] {
  return [...stages].sort((a, b) => STAGE_ORDER.indexOf(a.stage) - STAGE_ORDER.indexOf(b.stage));
}

export function runStateReducer(state: RunState, event: RunEvent): RunState {
  switch (event.type) {
    case 'loaded': {
      // The REST snapshot may be older than points already streamed: keep the union.
      const series: Record<string, MetricPoint[]> = { ...event.series };
      for (const [name, points] of Object.entries(state.series)) {
        let merged = series[name] ?? [];
        for (const point of points) merged = upsertPoint(merged, point);
        series[name] = merged;
      }
      const run = { ...event.run, ...(event.run.stages ? { stages: orderStages(event.run.stages) } : {}) };
      // Ended follows the snapshot: a retried run is queued again and must be followed again.
      return { run, series, ended: TERMINAL_STATUSES.includes(run.status) };
    }
    case 'run': {
      if (!state.run) return state;
      const { stages, ...rest } = event.snapshot;
      const run: Run = {
        ...state.run,
        ...rest,
        ...(stages ? { stages: mergeStages(state.run.stages, stages) } : {}),
      };
      return { ...state, run };
    }
    case 'metric': {
      const current = state.series[event.name] ?? [];
      const next = upsertPoint(current, { step: event.step, value: event.value });
      if (next === current) return state;
      return { ...state, series: { ...state.series, [event.name]: next } };
    }
    case 'end':
      return { ...state, ended: true, run: state.run ? { ...state.run, status: event.status } : state.run };
  }
}

/** What the stage timeline shows for each of the four stages, including ones not started yet. */
export function stageTimeline(run: Run | null): StageExecution[] {
  const known = new Map((run?.stages ?? []).map((s) => [s.stage, s]));
  return STAGE_ORDER.map(
    (stage) =>
      known.get(stage) ?? {
        stage,
        status: 'pending',
        attempts: 0,
        progress: 0,
        cacheHit: false,
        errorCode: null,
        errorMessage: null,
      },
  );
}

/** Cancel is for runs not finished; retry is for failed ones (the API retries from the failed stage). */
export function runActions(run: Run | null): { canCancel: boolean; canRetry: boolean } {
  if (!run) return { canCancel: false, canRetry: false };
  return {
    canCancel: run.status === 'queued' || run.status === 'running',
    canRetry: run.status === 'failed',
  };
}
