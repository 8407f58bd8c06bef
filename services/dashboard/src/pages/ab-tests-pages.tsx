/** A/B tests, and one test's variants, traffic, report (rates with intervals, p-values) and decision. */
import { useApiData } from '../api/api-context.tsx';
import { withQuery } from '../api/api-client.ts';
import type { AbReport, AbTest, Page } from '../api/api-types.ts';
import { currentTraffic, intervalScale, reasonLines, variantVerdict, verdictSentence } from '../ab-tests/ab-report-view.ts';
import { Empty, ErrorBox, KeyValues, Loading, Section, StatusBadge } from '../components/common.tsx';
import { formatAgo, formatPercent, formatPointDelta, formatPValue, formatRelative, formatTimestamp, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function AbTestsPage({ now }: { now: number }) {
  const tests = useApiData<Page<AbTest>>(withQuery('/ab-tests', { limit: 200 }));
  return (
    <Section title="A/B tests">
      <ErrorBox error={tests.error} />
      {tests.loading && !tests.data ? <Loading what="A/B tests" /> : null}
      {tests.data && tests.data.items.length === 0 ? <Empty>No A/B tests yet: a run's deploy stage starts one when its model passes the gate.</Empty> : null}
      {tests.data && tests.data.items.length > 0 ? (
        <table className="table" data-testid="ab-tests">
          <thead>
            <tr>
              <th>name</th>
              <th>endpoint</th>
              <th>status</th>
              <th>variants</th>
              <th>challenger traffic</th>
              <th>decision</th>
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
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td>{t.variants.map((v) => v.name).join(' vs ')}</td>
                <td>{formatPercent(currentTraffic(t), 0)}</td>
                <td>{t.decision ?? '—'}</td>
                <td>{formatAgo(t.startedAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

export function AbTestPage({ id }: { id: string }) {
  const test = useApiData<AbTest>(`/ab-tests/${encodeURIComponent(id)}`);
  const report = useApiData<AbReport>(`/ab-tests/${encodeURIComponent(id)}/report`, { refreshMs: 10_000 });
  if (test.error && !test.data) return <ErrorBox error={test.error} title="A/B test" />;
  if (!test.data) return <Loading what="A/B test" />;
  const t = test.data;
  const steps = Array.isArray(t.policy.steps) ? (t.policy.steps as number[]) : [];
  const scale = report.data ? intervalScale(report.data) : null;
  return (
    <>
      <nav className="crumbs">
        <a href={href.abTests()}>A/B tests</a> / <span>{t.name}</span>
      </nav>
      <h1>
        {t.name} <StatusBadge status={t.status} />
      </h1>
      <Section title="Test">
        <KeyValues
          items={[
            ['endpoint', t.endpoint],
            ['primary metric', t.primaryMetric],
            ['challenger traffic', `${formatPercent(currentTraffic(t), 0)}${steps.length && t.status === 'running' ? ` (step ${t.currentStep + 1} of ${steps.map((s) => formatPercent(s, 0)).join(' → ')})` : ''}`],
            ['experiment', t.experimentId ? <a href={href.experiment(t.experimentId)}>{shortId(t.experimentId)}</a> : '—'],
            ['started', formatTimestamp(t.startedAt)],
            ['ended', formatTimestamp(t.endedAt)],
          ]}
        />
        <h3>Variants</h3>
        <table className="table">
          <thead>
            <tr>
              <th>variant</th>
              <th>role</th>
              <th>weight</th>
              <th>model version</th>
            </tr>
          </thead>
          <tbody>
            {t.variants.map((v) => (
              <tr key={v.id}>
                <td>{v.name}</td>
                <td>{v.isControl ? 'control' : 'challenger'}</td>
                <td>{formatPercent(v.weight, 0)}</td>
                <td>
                  <code>{shortId(v.modelVersionId)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Report">
        <ErrorBox error={report.error} />
        {!report.data ? (
          <Loading what="report" />
        ) : (
          <>
            <p className="muted small">
              Units (not events): a unit exposed twice counts once. Two-proportion z-test of each variant against the control at α = {report.data.alpha}; the interval is
              the {Math.round((1 - report.data.alpha) * 100)}% confidence interval of the difference in conversion rate.
            </p>
            <table className="table" data-testid="ab-report">
              <thead>
                <tr>
                  <th>variant</th>
                  <th>exposures</th>
                  <th>conversions</th>
                  <th>rate</th>
                  <th>difference</th>
                  <th>interval</th>
                  <th>lift</th>
                  <th>p-value</th>
                  <th>verdict</th>
                </tr>
              </thead>
              <tbody>
                {report.data.variants.map((v) => {
                  const vs = v.vsControl;
                  const ci = vs?.confidenceInterval ?? null;
                  const bar = ci && scale ? scale(ci) : null;
                  return (
                    <tr key={v.variant} data-verdict={variantVerdict(v)}>
                      <td>
                        {v.variant} {v.isControl ? <span className="muted small">control</span> : null}
                      </td>
                      <td>{v.exposures.toLocaleString('en-US')}</td>
                      <td>{v.conversions.toLocaleString('en-US')}</td>
                      <td>{formatPercent(v.rate, 2)}</td>
                      <td>{vs ? formatPointDelta(vs.difference) : '—'}</td>
                      <td>
                        {ci ? (
                          <span className="ci" title={`${formatPointDelta(ci[0])} to ${formatPointDelta(ci[1])}`}>
                            <span className="ci-track">
                              <span className="ci-zero" style={{ left: `${bar!.zero * 100}%` }} />
                              <span className={`ci-bar ${variantVerdict(v)}`} style={{ left: `${bar!.left * 100}%`, width: `${Math.max(0.5, (bar!.right - bar!.left) * 100)}%` }} />
                            </span>
                            <span className="small">
                              [{formatPointDelta(ci[0])}, {formatPointDelta(ci[1])}]
                            </span>
                          </span>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td>{vs ? formatRelative(vs.relativeLift) : '—'}</td>
                      <td>{vs ? formatPValue(vs.pValue) : '—'}</td>
                      <td>
                        <StatusBadge status={variantVerdict(v)} />
                        <div className="small">{verdictSentence(v, report.data!.alpha)}</div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </Section>
      <Section title="Decision">
        {t.decision ? (
          <p>
            <strong>{t.decision}</strong>
          </p>
        ) : (
          <Empty>No decision yet.</Empty>
        )}
        {reasonLines(t.decisionReasons).length ? (
          <ul className="reasons">
            {reasonLines(t.decisionReasons).map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        ) : null}
      </Section>
    </>
  );
}
