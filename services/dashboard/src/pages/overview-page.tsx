/**
 * The first page: what the pipeline is doing (runs by status, queue depths), what serves
 * traffic (running A/B tests, live deployments), and what went wrong lately (failed runs,
 * rolled-back tests and deployments), each linking to its own page. Refreshed every 5 s.
 */
import { useApiData } from '../api/api-context.tsx';
import { withQuery } from '../api/api-client.ts';
import type { AbTest, Deployment, Page, QueueStat, Run } from '@lathe/contract';
import { currentTraffic } from '../ab-tests/ab-report-view.ts';
import { Empty, ErrorBox, Loading, Section, StatusBadge } from '../components/common.tsx';
import { ModelVersionLink } from '../components/model-version-link.tsx';
import { formatAgo, formatPercent, shortId } from '../format/format.ts';
import {
  countRunsByStatus,
  liveDeployments,
  shadowSummary,
  stoppedDeployments,
} from '../overview/overview-view.ts';
import { href } from '../routing/routes.ts';

const REFRESH_MS = 5000;
/** Runs counted by status: the latest ones, so the count stays one request on a busy registry. */
const COUNTED_RUNS = 200;

export function OverviewPage({ now }: { now: number }) {
  return (
    <>
      <h1>Overview</h1>
      <div className="columns">
        <RunsPanel />
        <QueuesPanel />
      </div>
      <AbTestsPanel now={now} />
      <DeploymentsPanel now={now} />
      <FailuresPanel now={now} />
    </>
  );
}

function RunsPanel() {
  const runs = useApiData<Page<Run>>(withQuery('/runs', { limit: COUNTED_RUNS }), { refreshMs: REFRESH_MS });
  return (
    <Section title="Runs by status" actions={<a href={href.experiments()}>Experiments</a>}>
      <ErrorBox error={runs.error} />
      {!runs.data && !runs.error ? <Loading what="runs" /> : null}
      {runs.data && runs.data.items.length === 0 ? (
        <Empty>No runs yet: start one from an experiment, or run `npm run demo`.</Empty>
      ) : null}
      {runs.data && runs.data.items.length > 0 ? (
        <>
          <ul className="status-counts" data-testid="run-counts">
            {countRunsByStatus(runs.data.items).map(([status, count]) => (
              <li key={status} data-status={status}>
                <strong>{count}</strong> <StatusBadge status={status} />
              </li>
            ))}
          </ul>
          <p className="muted small">
            {runs.data.nextCursor
              ? `Of the latest ${runs.data.items.length} runs.`
              : `All ${runs.data.items.length} runs.`}
          </p>
        </>
      ) : null}
    </Section>
  );
}

function QueuesPanel() {
  const stats = useApiData<{ items: QueueStat[] }>('/queues', { refreshMs: REFRESH_MS });
  return (
    <Section title="Queue depths" actions={<a href={href.queues()}>Queues</a>}>
      <ErrorBox error={stats.error} />
      {!stats.data && !stats.error ? <Loading what="queues" /> : null}
      {stats.data ? (
        <table className="table" data-testid="queue-depths">
          <thead>
            <tr>
              <th>queue</th>
              <th>waiting</th>
              <th>active</th>
              <th>delayed</th>
              <th>failed</th>
            </tr>
          </thead>
          <tbody>
            {stats.data.items.map((q) => (
              <tr key={q.queue}>
                <td>{q.queue}</td>
                <td>{q.waiting}</td>
                <td>{q.active}</td>
                <td>{q.delayed}</td>
                <td className={q.failed > 0 ? 'bad' : ''}>{q.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

function AbTestsPanel({ now }: { now: number }) {
  const tests = useApiData<Page<AbTest>>(withQuery('/ab-tests', { status: 'running', limit: 50 }), {
    refreshMs: REFRESH_MS,
  });
  return (
    <Section title="Running A/B tests" actions={<a href={href.abTests()}>All A/B tests</a>}>
      <ErrorBox error={tests.error} />
      {!tests.data && !tests.error ? <Loading what="A/B tests" /> : null}
      {tests.data && tests.data.items.length === 0 ? (
        <Empty>No A/B test is running: a run whose model beats the gate starts one against production.</Empty>
      ) : null}
      {tests.data && tests.data.items.length > 0 ? (
        <table className="table" data-testid="running-ab-tests">
          <thead>
            <tr>
              <th>test</th>
              <th>endpoint</th>
              <th>metric</th>
              <th>challenger traffic</th>
              <th>step</th>
              <th>started</th>
            </tr>
          </thead>
          <tbody>
            {tests.data.items.map((t) => (
              <tr key={t.id}>
                <td>
                  <a href={href.abTest(t.id)}>{t.name}</a>
                </td>
                <td>{t.endpoint}</td>
                <td>{t.primaryMetric}</td>
                <td>{formatPercent(currentTraffic(t), 0)}</td>
                <td>{t.currentStep + 1}</td>
                <td>{formatAgo(t.startedAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

function DeploymentsPanel({ now }: { now: number }) {
  const deployments = useApiData<Page<Deployment>>(withQuery('/deployments', { limit: 200 }), {
    refreshMs: REFRESH_MS,
  });
  const live = deployments.data ? liveDeployments(deployments.data.items) : null;
  const stopped = deployments.data ? stoppedDeployments(deployments.data.items) : null;
  return (
    <Section title="Deployments serving traffic">
      <ErrorBox error={deployments.error} />
      {!live && !deployments.error ? <Loading what="deployments" /> : null}
      {live && live.length === 0 ? (
        <Empty>Nothing is deployed yet: the first model to pass its gate becomes production.</Empty>
      ) : null}
      {live && live.length > 0 ? <DeploymentTable deployments={live} now={now} /> : null}
      {stopped && stopped.length > 0 ? <StoppedTable deployments={stopped} now={now} /> : null}
    </Section>
  );
}

/** Rollouts ended through `POST /deployments/:id/stop`: when, why, and a shadow's final comparison. */
function StoppedTable({ deployments, now }: { deployments: Deployment[]; now: number }) {
  return (
    <table className="table" data-testid="stopped-deployments">
      <thead>
        <tr>
          <th>endpoint</th>
          <th>model version</th>
          <th>strategy</th>
          <th>stopped</th>
          <th>reason</th>
          <th>shadow comparison</th>
        </tr>
      </thead>
      <tbody>
        {deployments.map((d) => (
          <tr key={d.id}>
            <td>{d.endpoint}</td>
            <td>
              <ModelVersionLink id={d.modelVersionId} />
            </td>
            <td>{d.strategy.replace(/_/g, ' ')}</td>
            <td>{formatAgo(d.stoppedAt!, now)}</td>
            <td>{d.stopReason ?? '—'}</td>
            <td>{shadowSummary(d) ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeploymentTable({ deployments, now }: { deployments: Deployment[]; now: number }) {
  return (
    <table className="table" data-testid="live-deployments">
      <thead>
        <tr>
          <th>endpoint</th>
          <th>model version</th>
          <th>strategy</th>
          <th>status</th>
          <th>traffic</th>
          <th>shadow comparison</th>
          <th>run</th>
          <th>since</th>
        </tr>
      </thead>
      <tbody>
        {deployments.map((d) => (
          <tr key={d.id}>
            <td>{d.endpoint}</td>
            <td>
              <ModelVersionLink id={d.modelVersionId} />
            </td>
            <td>{d.strategy.replace(/_/g, ' ')}</td>
            <td>
              <StatusBadge status={d.status} />
            </td>
            <td>{formatPercent(d.traffic, 0)}</td>
            <td data-testid="shadow-comparison">{shadowSummary(d) ?? '—'}</td>
            <td>{d.runId ? <a href={href.run(d.runId)}>{shortId(d.runId)}</a> : '—'}</td>
            <td>{formatAgo(d.updatedAt, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FailuresPanel({ now }: { now: number }) {
  const failed = useApiData<Page<Run>>(withQuery('/runs', { status: 'failed', limit: 5 }), {
    refreshMs: REFRESH_MS,
  });
  const rolledBack = useApiData<Page<AbTest>>(withQuery('/ab-tests', { status: 'rolled_back', limit: 5 }), {
    refreshMs: REFRESH_MS,
  });
  return (
    <div className="columns">
      <Section title="Recent failed runs">
        <ErrorBox error={failed.error} />
        {!failed.data && !failed.error ? <Loading what="failed runs" /> : null}
        {failed.data && failed.data.items.length === 0 ? <Empty>No failed run.</Empty> : null}
        {failed.data && failed.data.items.length > 0 ? (
          <table className="table" data-testid="failed-runs">
            <thead>
              <tr>
                <th>run</th>
                <th>stage</th>
                <th>reason</th>
                <th>when</th>
              </tr>
            </thead>
            <tbody>
              {failed.data.items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={href.run(r.id)}>{shortId(r.id)}</a>
                  </td>
                  <td>{r.errorStage ?? '—'}</td>
                  <td className="small" title={r.errorMessage ?? ''}>
                    <div className="clamp">
                      {r.errorCode ? <code>{r.errorCode}</code> : null} {r.errorMessage ?? ''}
                    </div>
                  </td>
                  <td>{formatAgo(r.finishedAt ?? null, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title="Recent rollbacks">
        <ErrorBox error={rolledBack.error} />
        {!rolledBack.data && !rolledBack.error ? <Loading what="rollbacks" /> : null}
        {rolledBack.data && rolledBack.data.items.length === 0 ? (
          <Empty>No A/B test was rolled back.</Empty>
        ) : null}
        {rolledBack.data && rolledBack.data.items.length > 0 ? (
          <table className="table" data-testid="rollbacks">
            <thead>
              <tr>
                <th>test</th>
                <th>endpoint</th>
                <th>decision</th>
                <th>ended</th>
              </tr>
            </thead>
            <tbody>
              {rolledBack.data.items.map((t) => (
                <tr key={t.id}>
                  <td>
                    <a href={href.abTest(t.id)}>{t.name}</a>
                  </td>
                  <td>{t.endpoint}</td>
                  <td>{t.decision ? <StatusBadge status={t.decision} /> : '—'}</td>
                  <td>{formatAgo(t.endedAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </div>
  );
}
