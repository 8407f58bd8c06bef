/**
 * One experiment: its settings, its runs (status, stage, progress, trigger, duration,
 * backend), a button to start a run (editor key) and its retraining schedules.
 */
import { useState, type FormEvent } from 'react';
import type { SweepResource } from '@lathe/contract';
import { useAction, useApiData } from '../api/api-context.tsx';
import { withQuery } from '../api/api-client.ts';
import type { Experiment, Page, Run, Schedule } from '@lathe/contract';
import {
  Empty,
  ErrorBox,
  JsonBlock,
  KeyValues,
  Loading,
  ProgressBar,
  Section,
  StatusBadge,
} from '../components/common.tsx';
import { durationBetween, formatAgo, formatDurationMs, formatTimestamp, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';
import { SweepsSection } from '../sweeps/sweeps-section.tsx';
import { describeGateRule } from '../format/gate-rule.ts';

export function ExperimentPage({ id, now }: { id: string; now: number }) {
  const experiment = useApiData<Experiment>(`/experiments/${encodeURIComponent(id)}`);
  const anyActive = (runs: Run[] | undefined) =>
    runs?.some((r) => r.status === 'queued' || r.status === 'running') ?? false;
  const runs = useApiData<Page<Run>>(withQuery('/runs', { experimentId: id, limit: 100 }), {
    refreshMs: 3000,
  });
  const schedules = useApiData<Page<Schedule>>(withQuery('/schedules', { experimentId: id, limit: 100 }));
  const sweeps = useApiData<{ items: SweepResource[] }>(`/experiments/${encodeURIComponent(id)}/sweeps`, {
    refreshMs: 3000,
  });
  const start = useAction((client, body: { cache: boolean }) =>
    client.post<Run>(`/experiments/${encodeURIComponent(id)}/runs`, {
      trigger: 'manual',
      ...(body.cache ? {} : { cache: false }),
    }),
  );
  const [useCache, setUseCache] = useState(true);
  const [started, setStarted] = useState<Run | null>(null);

  if (experiment.error && !experiment.data) return <ErrorBox error={experiment.error} title="Experiment" />;
  if (!experiment.data) return <Loading what="experiment" />;
  const e = experiment.data;

  const onStart = async () => {
    const run = await start.run({ cache: useCache });
    if (run) {
      setStarted(run);
      runs.reload();
    }
  };

  return (
    <>
      <nav className="crumbs">
        <a href={href.experiments()}>Experiments</a> / <span>{e.name}</span>
      </nav>
      <h1 data-testid="experiment-name">{e.name}</h1>
      {e.description ? <p>{e.description}</p> : null}
      <Section title="Settings">
        <KeyValues
          items={[
            ['use case', e.useCase],
            ['model family', e.modelFamily],
            ['dataset', <a href={href.dataset(e.datasetId)}>{shortId(e.datasetId)}</a>],
            ['stage cache', e.cacheEnabled ? 'on' : 'off'],
            ['revision', e.revision],
            ['created', formatTimestamp(e.createdAt)],
          ]}
        />
        <div className="columns">
          <div>
            <h3>Hyperparameters</h3>
            <JsonBlock value={e.hyperparameters} />
          </div>
          <div>
            <h3>Gate</h3>
            {e.gate.length === 0 ? (
              <Empty>No gate rules: every evaluation passes.</Empty>
            ) : (
              <ul>
                {e.gate.map((rule, i) => (
                  <li key={i}>
                    <code>{rule.metric}</code> {describeGateRule(rule)}
                  </li>
                ))}
              </ul>
            )}
            <h3>Rollout policy</h3>
            <JsonBlock value={e.rolloutPolicy} />
          </div>
        </div>
      </Section>

      <Section
        title="Runs"
        actions={
          <>
            <label className="inline">
              <input type="checkbox" checked={useCache} onChange={(ev) => setUseCache(ev.target.checked)} />{' '}
              reuse cached stages
            </label>
            <button
              type="button"
              onClick={() => void onStart()}
              disabled={start.pending || e.archivedAt !== null}
            >
              {start.pending ? 'Starting…' : 'Start run'}
            </button>
          </>
        }
      >
        <ErrorBox error={start.error} title="Start run" />
        {started ? (
          <p className="notice">
            Started run <a href={href.run(started.id)}>{shortId(started.id)}</a>.
          </p>
        ) : null}
        <ErrorBox error={runs.error} />
        {runs.data && runs.data.items.length === 0 ? <Empty>No runs yet.</Empty> : null}
        {runs.data && runs.data.items.length > 0 ? (
          <table className="table" data-testid="runs">
            <thead>
              <tr>
                <th>run</th>
                <th>status</th>
                <th>stage</th>
                <th>progress</th>
                <th>trigger</th>
                <th>queued</th>
                <th>duration</th>
                <th>backend</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={href.run(r.id)}>{shortId(r.id)}</a>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                    {r.errorCode ? <div className="small bad">{r.errorCode}</div> : null}
                  </td>
                  <td>{r.stage ?? '—'}</td>
                  <td>
                    <ProgressBar value={r.progress} status={r.status} />
                  </td>
                  <td>{r.trigger}</td>
                  <td>{formatAgo(r.queuedAt, now)}</td>
                  <td>{formatDurationMs(durationBetween(r.startedAt, r.finishedAt, now))}</td>
                  <td>{r.backendInfo?.name ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {anyActive(runs.data?.items) ? (
          <p className="muted small">
            Runs are active: this list refreshes every 3 s (open a run to follow it live).
          </p>
        ) : null}
      </Section>

      <SchedulesSection
        experimentId={id}
        schedules={schedules.data?.items ?? null}
        error={schedules.error}
        reload={schedules.reload}
      />
      <SweepsSection sweeps={sweeps.data?.items ?? null} />
    </>
  );
}

function SchedulesSection({
  experimentId,
  schedules,
  error,
  reload,
}: {
  experimentId: string;
  schedules: Schedule[] | null;
  error: Error | null;
  reload: () => void;
}) {
  const [cron, setCron] = useState('0 3 * * *');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const create = useAction((client, body: { cron: string; timezone: string }) =>
    client.post<Schedule>(`/experiments/${encodeURIComponent(experimentId)}/schedules`, body),
  );
  const toggle = useAction((client, s: Schedule) =>
    client.patch<Schedule>(`/schedules/${encodeURIComponent(s.id)}`, { enabled: !s.enabled }),
  );

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (await create.run({ cron: cron.trim(), timezone: timezone.trim() })) reload();
  };

  return (
    <Section title="Schedules">
      <ErrorBox error={error} />
      <ErrorBox error={create.error ?? toggle.error} title="Schedule" />
      {schedules && schedules.length === 0 ? (
        <Empty>Not scheduled: runs start only by hand or through the API.</Empty>
      ) : null}
      {schedules && schedules.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>cron</th>
              <th>time zone</th>
              <th>state</th>
              <th>last tick</th>
              <th>last run</th>
              <th>skipped ticks</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {schedules.map((s) => (
              <tr key={s.id}>
                <td>
                  <code>{s.cron}</code>
                </td>
                <td>{s.timezone}</td>
                <td>
                  <StatusBadge status={s.enabled ? 'enabled' : 'disabled'} />
                </td>
                <td>{formatTimestamp(s.lastTickAt)}</td>
                <td>{s.lastRunId ? <a href={href.run(s.lastRunId)}>{shortId(s.lastRunId)}</a> : '—'}</td>
                <td>{s.skippedTicks}</td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    disabled={toggle.pending}
                    onClick={() => void toggle.run(s).then((r) => r && reload())}
                  >
                    {s.enabled ? 'Disable' : 'Enable'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form className="inline-form" onSubmit={(e) => void onSubmit(e)}>
        <label>
          cron{' '}
          <input
            value={cron}
            onChange={(e) => setCron(e.target.value)}
            placeholder="0 3 * * *"
            aria-label="cron"
          />
        </label>
        <label>
          time zone{' '}
          <input value={timezone} onChange={(e) => setTimezone(e.target.value)} aria-label="time zone" />
        </label>
        <button type="submit" disabled={create.pending}>
          Add schedule
        </button>
      </form>
    </Section>
  );
}
