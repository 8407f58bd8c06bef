/**
 * One run: stage timeline, live progress (SSE), per-epoch metric charts, the error with its
 * stage and code, and cancel/retry. The REST snapshot loads first; the event stream then
 * folds `run` and `metric` events into the same state (runStateReducer) until `end`.
 */
import { useEffect, useMemo, useReducer, useState } from 'react';
import { useAction, useApi } from '../api/api-context.tsx';
import type { Evaluation, ModelVersion, Page, RetriedRun, Run, RunMetrics } from '@lathe/contract';
import { withQuery } from '../api/api-client.ts';
import { LineChart } from '../charts/line-chart.tsx';
import { latestValues, metricCharts } from '../charts/metric-series.ts';
import {
  Empty,
  ErrorBox,
  KeyValues,
  Loading,
  ProgressBar,
  Section,
  StatusBadge,
} from '../components/common.tsx';
import { StageTimeline } from '../components/stage-timeline.tsx';
import { TrainingOutcomeView } from '../runs/training-outcome-view.tsx';
import {
  durationBetween,
  formatDurationMs,
  formatMetric,
  formatTimestamp,
  shortId,
} from '../format/format.ts';
import { href } from '../routing/routes.ts';
import { followRunEvents } from '../runs/run-event-stream.ts';
import { initialRunState, runActions, runStateReducer } from '../runs/run-state.ts';

type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'ended';

export function RunPage({ id, now }: { id: string; now: number }) {
  const { client, apiKey } = useApi();
  const [state, dispatch] = useReducer(runStateReducer, initialRunState);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [stream, setStream] = useState<{ status: StreamStatus; error?: Error }>({ status: 'connecting' });
  const [reloadTick, setReloadTick] = useState(0);
  const path = `/runs/${encodeURIComponent(id)}`;

  // REST snapshot: the run with its stages, and the metric history so far.
  useEffect(() => {
    const controller = new AbortController();
    Promise.all([
      client.get<Run>(path, { signal: controller.signal }),
      client.get<RunMetrics>(`${path}/metrics`, { signal: controller.signal }),
    ])
      .then(([run, metrics]) => {
        dispatch({ type: 'loaded', run, series: metrics.series });
        setLoadError(null);
      })
      .catch((error: Error) => {
        if (!controller.signal.aborted) setLoadError(error);
      });
    return () => controller.abort();
  }, [client, path, apiKey, reloadTick]);

  const status = state.run?.status;
  const finished = state.ended;
  // Live events while the run is not finished; reload the snapshot once it ends (timestamps, error).
  useEffect(() => {
    if (!state.run || finished) return;
    const controller = new AbortController();
    void followRunEvents(client, id, {
      signal: controller.signal,
      onEvent: (event) => {
        dispatch(event);
        if (event.type === 'end') setReloadTick((t) => t + 1);
      },
      onStatus: (s, error) => setStream(error ? { status: s, error } : { status: s }),
    });
    return () => controller.abort();
    // Follow once per run and key; status changes come through the stream itself.
  }, [client, id, apiKey, state.run !== null, finished]);

  const cancel = useAction((c) => c.post<Run>(`${path}/cancel`));
  const retry = useAction((c) => c.post<RetriedRun>(`${path}/retry`));
  const charts = useMemo(() => metricCharts(state.series), [state.series]);

  if (loadError && !state.run) return <ErrorBox error={loadError} title="Run" />;
  if (!state.run) return <Loading what="run" />;
  const run = state.run;
  const actions = runActions(run);

  return (
    <>
      <nav className="crumbs">
        <a href={href.experiments()}>Experiments</a> /{' '}
        <a href={href.experiment(run.experimentId)}>experiment</a> / <span>run {shortId(run.id)}</span>
      </nav>
      <h1>
        Run <code>{shortId(run.id)}</code> <StatusBadge status={run.status} />{' '}
        <span className={`live live-${finished ? 'ended' : stream.status}`} data-testid="stream-status">
          {finished ? 'finished' : stream.status === 'live' ? '● live' : stream.status}
        </span>
      </h1>
      <Section
        title="Overview"
        actions={
          <>
            <button
              type="button"
              className="danger"
              disabled={!actions.canCancel || cancel.pending}
              onClick={() => void cancel.run().then((r) => r && setReloadTick((t) => t + 1))}
            >
              Cancel
            </button>
            <button
              type="button"
              disabled={!actions.canRetry || retry.pending}
              onClick={() =>
                void retry.run().then((r) => {
                  if (r) {
                    dispatch({ type: 'loaded', run: r.run, series: state.series });
                    setReloadTick((t) => t + 1);
                  }
                })
              }
            >
              Retry from failed stage
            </button>
          </>
        }
      >
        <ErrorBox error={cancel.error ?? retry.error} />
        <ErrorBox error={stream.error} title="Live updates" />
        <KeyValues
          items={[
            ['progress', <ProgressBar value={run.progress} status={run.status} />],
            ['current stage', run.stage ?? '—'],
            ['trigger', run.trigger],
            ['seed', run.seed ?? '—'],
            ['backend', run.backendInfo?.name ?? '—'],
            ['queued', formatTimestamp(run.queuedAt)],
            ['started', formatTimestamp(run.startedAt)],
            ['duration', formatDurationMs(durationBetween(run.startedAt, run.finishedAt, now))],
          ]}
        />
        {run.trainingOutcome ? <TrainingOutcomeView outcome={run.trainingOutcome} /> : null}
        {run.errorCode || run.errorMessage ? (
          <div className="error-box run-error" role="alert" data-testid="run-error">
            <strong>Failed{run.errorStage ? ` in ${run.errorStage}` : ''}</strong>{' '}
            <code>{run.errorCode}</code>
            <div>{run.errorMessage}</div>
          </div>
        ) : null}
      </Section>

      <Section title="Stages">
        <StageTimeline run={run} now={now} />
      </Section>

      <Section title="Metrics">
        {charts.length === 0 ? (
          <Empty>
            {status === 'queued' || status === 'running'
              ? 'No metrics yet: they appear here after each epoch.'
              : 'This run recorded no metrics.'}
          </Empty>
        ) : (
          <>
            <p className="small latest">
              {latestValues(state.series).map((m) => (
                <span key={m.name}>
                  {m.name} <strong>{formatMetric(m.value)}</strong> <span className="muted">@{m.step}</span>
                </span>
              ))}
            </p>
            <div className="charts" data-testid="metric-charts">
              {charts.map((chart) => (
                <LineChart key={chart.key} chart={chart} />
              ))}
            </div>
          </>
        )}
      </Section>

      <RunOutputs runId={run.id} finished={finished} />
    </>
  );
}

/** The model version and evaluations this run produced, once there are some. */
function RunOutputs({ runId, finished }: { runId: string; finished: boolean }) {
  const { client } = useApi();
  const [evaluations, setEvaluations] = useState<Evaluation[] | null>(null);
  const [model, setModel] = useState<ModelVersion | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    client
      .get<Page<Evaluation>>(withQuery('/evaluations', { runId, limit: 20 }), { signal: controller.signal })
      .then(async (page) => {
        setEvaluations(page.items);
        const first = page.items[0];
        if (first)
          setModel(
            await client.get<ModelVersion>(`/model-versions/${first.modelVersionId}`, {
              signal: controller.signal,
            }),
          );
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [client, runId, finished]);
  if (!evaluations || evaluations.length === 0) return null;
  return (
    <Section title="Outputs">
      {model ? (
        <p>
          Model <a href={href.model(model.modelName)}>{model.modelName}</a> v{model.version}
        </p>
      ) : null}
      <ul>
        {evaluations.map((e) => (
          <li key={e.id}>
            <a href={href.evaluation(e.id)}>evaluation {shortId(e.id)}</a> on {e.split}:{' '}
            <StatusBadge status={e.verdict} />
          </li>
        ))}
      </ul>
    </Section>
  );
}
