/**
 * A/B tests, and one test's report: its rollout and assignment, the primary metric with its
 * always-valid interval (and how it narrowed over the monitor's looks), guardrails, secondary
 * metrics, the Bayesian view, sample-ratio mismatch, gateway health per arm, the business
 * readout, the plan against what has been collected, and the monitor's decisions. Everything
 * shown is formatted by ab-tests/ab-report-view.ts.
 */
import { useMemo } from 'react';
import { useApiData } from '../api/api-context.tsx';
import { withQuery } from '../api/api-client.ts';
import type { AbTest, Page } from '@lathe/contract';
import {
  bayesianView,
  currentTraffic,
  guardrailRows,
  headerView,
  healthRows,
  historyRows,
  isAbReport,
  liftOverTime,
  planView,
  primaryView,
  readoutView,
  secondaryRows,
  srmView,
  type AbReportWire,
} from '../ab-tests/ab-report-view.ts';
import { IntervalChart } from '../charts/interval-chart.tsx';
import {
  Empty,
  ErrorBox,
  KeyValues,
  Loading,
  ProgressBar,
  Section,
  StatusBadge,
} from '../components/common.tsx';
import { ModelVersionLink } from '../components/model-version-link.tsx';
import { formatAgo, formatPercent, formatRelative, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function AbTestsPage({ now }: { now: number }) {
  const tests = useApiData<Page<AbTest>>(withQuery('/ab-tests', { limit: 200 }));
  return (
    <Section title="A/B tests">
      <ErrorBox error={tests.error} />
      {tests.loading && !tests.data ? <Loading what="A/B tests" /> : null}
      {tests.data && tests.data.items.length === 0 ? (
        <Empty>No A/B tests yet: a run's deploy stage starts one when its model passes the gate.</Empty>
      ) : null}
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
  const report = useApiData<unknown>(`/ab-tests/${encodeURIComponent(id)}/report`, { refreshMs: 10_000 });
  const data = isAbReport(report.data) ? report.data : null;
  if (!test.data && !data) {
    if (test.error) return <ErrorBox error={test.error} title="A/B test" />;
    if (report.error) return <ErrorBox error={report.error} title="A/B report" />;
    if (report.data !== null) return <ErrorBox error={unknownShape} title="A/B report" />;
    return <Loading what="A/B test" />;
  }
  const name = data?.name ?? test.data!.name;
  const status = data?.status ?? test.data!.status;
  return (
    <>
      <nav className="crumbs">
        <a href={href.abTests()}>A/B tests</a> / <span>{name}</span>
      </nav>
      <h1>
        {name} <StatusBadge status={status} />
      </h1>
      <ErrorBox error={report.error} />
      {data ? (
        <AbReportPanels report={data} test={test.data} />
      ) : report.data !== null ? (
        <ErrorBox error={unknownShape} title="A/B report" />
      ) : (
        <Loading what="report" />
      )}
    </>
  );
}

const unknownShape = new Error(
  'the API sent a report this dashboard does not understand (an older API version?)',
);

/** The report's panels; `now` (for elapsed times) defaults to the time of rendering. */
export function AbReportPanels({
  report,
  test,
  now = Date.now(),
}: {
  report: AbReportWire;
  test: AbTest | null;
  now?: number;
}) {
  const lift = useMemo(() => liftOverTime(report), [report]);
  const header = headerView(report, now);
  const primary = primaryView(report);
  const guardrails = guardrailRows(report);
  const secondary = secondaryRows(report);
  const bayes = bayesianView(report);
  const srm = srmView(report);
  const health = healthRows(report);
  const readout = readoutView(report);
  const plan = planView(report, now);
  const history = historyRows(report);
  const treatmentNotes = report.analysis.treatments[0]?.notes ?? [];
  return (
    <>
      <Section title="Test">
        <KeyValues
          items={[
            ['endpoint', header.endpoint],
            ['primary metric', header.primaryMetric],
            ['decision rule', `${header.decisionRule} (α = ${header.alpha})`],
            ['current step', `${header.step}: ${header.treatmentShare} of traffic to ${header.treatment}`],
            ['coverage', `${header.coverage} of units in the test`],
            ['steps', header.steps],
            ['split', header.split],
            ['started', header.started],
            ['ended', header.ended],
            ['running for', header.elapsed],
            [
              'experiment',
              test?.experimentId ? (
                <a href={href.experiment(test.experimentId)}>{shortId(test.experimentId)}</a>
              ) : (
                '—'
              ),
            ],
          ]}
        />
        <p className="small" data-testid="ab-assignment">
          <strong>Assignment</strong> <span className="muted">(hash {header.hashVersion})</span>:{' '}
          {header.rule}
        </p>
        {test ? (
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
              {test.variants.map((v) => (
                <tr key={v.id}>
                  <td>{v.name}</td>
                  <td>{v.isControl ? 'control' : 'treatment'}</td>
                  <td>{formatPercent(v.weight, 0)}</td>
                  <td>
                    <ModelVersionLink id={v.modelVersionId} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <h3>Decision</h3>
        {header.decision ? (
          <p>
            <strong>{header.decision}</strong>
          </p>
        ) : (
          <Empty>No decision yet.</Empty>
        )}
        {header.decisionReasons.length ? (
          <ul className="reasons">
            {header.decisionReasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        ) : null}
      </Section>

      <Section title={`Primary metric: ${report.primaryMetric}`}>
        {!primary ? (
          <Empty>
            Not enough data to compare yet
            {treatmentNotes.length ? `: ${treatmentNotes.join('; ')}` : '.'}
          </Empty>
        ) : (
          <>
            <table className="table" data-testid="ab-report">
              <thead>
                <tr>
                  <th>variant</th>
                  <th>units</th>
                  <th>mean</th>
                  <th>difference</th>
                  <th>relative lift</th>
                  <th>always-valid interval</th>
                  <th>fixed-horizon interval</th>
                  <th>sequential p</th>
                  <th>verdict</th>
                </tr>
              </thead>
              <tbody>
                <tr data-verdict="control">
                  <td>
                    {primary.control} <span className="muted small">control</span>
                  </td>
                  <td>{primary.arms[0]!.units}</td>
                  <td>{primary.arms[0]!.mean}</td>
                  <td colSpan={6} className="muted">
                    —
                  </td>
                </tr>
                <tr data-verdict={primary.verdict}>
                  <td>{primary.treatment}</td>
                  <td>{primary.arms[1]!.units}</td>
                  <td>{primary.arms[1]!.mean}</td>
                  <td>{primary.difference}</td>
                  <td className={primary.verdict}>{primary.relativeLift}</td>
                  <td>
                    <span className="ci" title={primary.sequentialDifferenceInterval}>
                      {primary.bar ? (
                        <span className="ci-track">
                          <span className="ci-zero" style={{ left: `${primary.bar.zero * 100}%` }} />
                          <span
                            className={`ci-bar ${primary.verdict}`}
                            style={{
                              left: `${primary.bar.left * 100}%`,
                              width: `${Math.max(0.5, (primary.bar.right - primary.bar.left) * 100)}%`,
                            }}
                          />
                        </span>
                      ) : null}
                      <span className="small">{primary.sequentialInterval}</span>
                    </span>
                  </td>
                  <td className="small">{primary.fixedInterval}</td>
                  <td>{primary.sequentialPValue}</td>
                  <td>
                    <StatusBadge status={primary.verdict} />
                    <div className="small">{primary.verdictText}</div>
                  </td>
                </tr>
              </tbody>
            </table>
            <KeyValues
              items={[
                ['units per arm', primary.unitsPerArm],
                ['CUPED', primary.cuped],
                ['fixed-horizon p', primary.fixedPValue],
                ['always-valid interval of the difference', primary.sequentialDifferenceInterval],
                ['fixed-horizon interval of the difference', primary.fixedDifferenceInterval],
              ]}
            />
            {primary.notes.length ? (
              <ul className="reasons small muted">
                {primary.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            ) : null}
            <p className="muted small">
              Units, not events. The always-valid interval (a confidence sequence) stays valid however often
              it is looked at; the fixed-horizon interval holds for one planned look only.
            </p>
          </>
        )}
      </Section>

      <Section title="Lift over time">
        {lift.x.length === 0 ? (
          <Empty>The monitor has not looked at this test yet.</Empty>
        ) : (
          <div data-testid="ab-lift-chart">
            <IntervalChart chart={lift} format={formatRelative} />
            <p className="muted small">
              One point per look of the rollout monitor; the band is the always-valid interval, missing where
              it is still unbounded.
            </p>
          </div>
        )}
      </Section>

      <Section title="Guardrails">
        {guardrails.length === 0 ? (
          <Empty>No guardrail has data yet.</Empty>
        ) : (
          <table className="table" data-testid="ab-guardrails">
            <thead>
              <tr>
                <th>guardrail</th>
                <th>control</th>
                <th>treatment</th>
                <th>difference</th>
                <th>bound</th>
                <th>margin</th>
                <th>state</th>
              </tr>
            </thead>
            <tbody>
              {guardrails.map((g) => (
                <tr key={g.name} data-state={g.state}>
                  <td>
                    {g.name}
                    <div className="muted small">
                      {g.metric}, {g.direction}
                    </div>
                  </td>
                  <td>{g.control}</td>
                  <td>{g.treatment}</td>
                  <td>{g.difference}</td>
                  <td>{g.bound}</td>
                  <td>{g.margin}</td>
                  <td>
                    <StatusBadge status={g.tone} label={g.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Secondary metrics">
        {secondary.length === 0 ? (
          <Empty>No secondary metrics.</Empty>
        ) : (
          <table className="table" data-testid="ab-secondary">
            <thead>
              <tr>
                <th>metric</th>
                <th>control</th>
                <th>treatment</th>
                <th>difference</th>
                <th>relative lift</th>
                <th>always-valid interval</th>
                <th>sequential p</th>
                <th>adjusted p</th>
              </tr>
            </thead>
            <tbody>
              {secondary.map((m) => (
                <tr key={m.metric} data-significant={m.significant}>
                  <td>
                    {m.metric} <span className="muted small">{m.kind}</span>
                  </td>
                  <td>{m.control}</td>
                  <td>{m.treatment}</td>
                  <td>{m.difference}</td>
                  <td>{m.relativeLift}</td>
                  <td className="small">{m.sequentialInterval}</td>
                  <td>{m.pValue}</td>
                  <td>{m.significant ? <strong>{m.adjustedPValue}</strong> : m.adjustedPValue}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <div className="columns">
        <Section title="Bayesian view">
          {!bayes ? (
            <Empty>Not computed for this report.</Empty>
          ) : (
            <div data-testid="ab-bayesian">
              <KeyValues
                items={[
                  ['P(treatment better)', bayes.probabilityTreatmentBetter],
                  ['expected loss choosing treatment', bayes.lossChooseTreatment],
                  ['expected loss choosing control', bayes.lossChooseControl],
                  ...(bayes.credibleControl !== null
                    ? ([['95% credible interval, control', bayes.credibleControl]] as Array<[string, string]>)
                    : []),
                  ...(bayes.credibleTreatment !== null
                    ? ([['95% credible interval, treatment', bayes.credibleTreatment]] as Array<
                        [string, string]
                      >)
                    : []),
                ]}
              />
            </div>
          )}
        </Section>

        <Section title="Sample ratio">
          <div data-testid="ab-srm">
            <KeyValues
              items={[
                [
                  'mismatch',
                  <StatusBadge
                    status={srm.detected ? 'worse' : 'passed'}
                    label={srm.detected ? 'detected' : 'not detected'}
                  />,
                ],
                ['sequential p', srm.pValue],
                ['log Bayes factor', srm.logBayesFactor],
                ['expected split', srm.expected],
                ['χ² (display only)', `${srm.chiSquare} (p = ${srm.chiSquarePValue})`],
              ]}
            />
            <table className="table">
              <thead>
                <tr>
                  <th>step</th>
                  {srm.variants.map((v) => (
                    <th key={v}>{v}</th>
                  ))}
                  <th>total</th>
                </tr>
              </thead>
              <tbody>
                {srm.rows.map((r) => (
                  <tr key={r.step}>
                    <td>{r.step}</td>
                    {r.units.map((u, i) => (
                      <td key={i}>{u}</td>
                    ))}
                    <td>{r.total}</td>
                  </tr>
                ))}
                <tr>
                  <td>
                    <strong>all</strong>
                  </td>
                  {srm.total.units.map((u, i) => (
                    <td key={i}>
                      <strong>{u}</strong>
                    </td>
                  ))}
                  <td>
                    <strong>{srm.total.total}</strong>
                  </td>
                </tr>
              </tbody>
            </table>
          </div>
        </Section>
      </div>

      <div className="columns">
        <Section title="Gateway health">
          {health.length === 0 ? (
            <Empty>No gateway traffic recorded yet.</Empty>
          ) : (
            <table className="table" data-testid="ab-health">
              <thead>
                <tr>
                  <th>variant</th>
                  <th>requests</th>
                  <th>error rate</th>
                  <th>slow rate</th>
                  <th>mean latency</th>
                  <th>p99 latency</th>
                </tr>
              </thead>
              <tbody>
                {health.map((h) => (
                  <tr key={h.variant}>
                    <td>{h.variant}</td>
                    <td>{h.requests}</td>
                    <td>{h.errorRate}</td>
                    <td>{h.slowRate}</td>
                    <td>{h.meanLatency}</td>
                    <td>{h.p99Latency}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>

        <Section title="Plan vs actual">
          <div data-testid="ab-plan">
            {!plan.plan ? (
              <Empty>No plan for this test.</Empty>
            ) : (
              <>
                <p className="small">
                  <StatusBadge
                    status={plan.plan.reachable ? 'passed' : 'failed'}
                    label={plan.plan.reachable ? 'reachable' : 'not reachable'}
                  />{' '}
                  {plan.plan.message}
                </p>
                <table className="table">
                  <thead>
                    <tr>
                      <th>design</th>
                      <th>units needed</th>
                      <th>days needed</th>
                      <th>collected</th>
                    </tr>
                  </thead>
                  <tbody>
                    {plan.plan.designs.map((d) => (
                      <tr key={d.design}>
                        <td>{d.design}</td>
                        <td>{d.units}</td>
                        <td>{d.days}</td>
                        <td>{d.unitsProgress === null ? '—' : <ProgressBar value={d.unitsProgress} />}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
            <KeyValues
              items={[
                ['units so far', plan.actual.units],
                ['running for', `${plan.actual.elapsed} (${plan.actual.elapsedDays})`],
                ['units per hour, actual', plan.actual.unitsPerHour],
                ...(plan.plan
                  ? ([
                      ['units per hour, planned', plan.plan.unitsPerHour],
                      ['baseline', plan.plan.baseline],
                      ['minimum detectable effect', plan.plan.minimumDetectableEffect],
                      ['power', plan.plan.power],
                      ['maximum duration', plan.plan.maxDuration],
                    ] as Array<[string, string]>)
                  : []),
              ]}
            />
          </div>
        </Section>
      </div>

      <Section title="Business readout">
        <div data-testid="ab-readout">
          <KeyValues
            items={[
              ['revenue per unit, control', readout.revenuePerUnit.control],
              ['revenue per unit, treatment', readout.revenuePerUnit.treatment],
              ['revenue difference per unit (95%)', readout.revenuePerUnit.difference],
              ['revenue uplift', readout.revenuePerUnit.relativeUplift],
              ['conversion, control', readout.conversion.control],
              ['conversion, treatment', readout.conversion.treatment],
              ['conversion uplift (95%)', readout.conversion.uplift],
              ['projected monthly impact (95%)', readout.projectedMonthlyImpact],
              ['P(loses money)', readout.probabilityLosesMoney],
              ['endpoint units per hour', readout.unitsPerHour],
            ]}
          />
        </div>
      </Section>

      <Section title="Decision history">
        {history.length === 0 ? (
          <Empty>No decisions yet.</Empty>
        ) : (
          <table className="table" data-testid="ab-history">
            <thead>
              <tr>
                <th>decided</th>
                <th>step</th>
                <th>action</th>
                <th>applied</th>
                <th>lift (always-valid interval)</th>
                <th>p</th>
                <th>units</th>
                <th>reasons</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <td className="small">{h.decidedAt}</td>
                  <td>{h.step}</td>
                  <td>
                    <StatusBadge status={h.tone} label={h.action} />
                  </td>
                  <td>{h.applied}</td>
                  <td className="small">{h.lift}</td>
                  <td>{h.pValue}</td>
                  <td>{h.units}</td>
                  <td>
                    <ul className="plain small">
                      {h.reasons.map((r, i) => (
                        <li key={i}>{r}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
