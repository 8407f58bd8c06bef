/**
 * Two or more evaluations side by side: the hyperparameters that differ, every metric with its
 * change against the first evaluation, ROC and precision-recall curves overlaid, and the runs'
 * training curves overlaid.
 */
import { useMemo } from 'react';
import { useApiLoad } from '../api/api-context.tsx';
import { CurveChart } from '../charts/curve-chart.tsx';
import type { CurveInput } from '../charts/curve-series.ts';
import { LineChart } from '../charts/line-chart.tsx';
import { overlaidMetricCharts } from '../charts/metric-series.ts';
import { Empty, ErrorBox, Loading, Section, StatusBadge } from '../components/common.tsx';
import {
  formatHyperparameter,
  hyperparameterDiff,
  metricComparisonRows,
} from '../evaluations/compare-view.ts';
import { curvePoints } from '../evaluations/evaluation-view.ts';
import { loadComparison, type ComparedVersion } from '../evaluations/load-comparison.ts';
import { changeDirection } from '../evaluations/metric-table.ts';
import { formatMetric, formatRelative } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function ComparePage({ ids }: { ids: string[] }) {
  const comparison = useApiLoad(ids.join(','), (client, signal) => loadComparison(client, ids, signal));
  if (comparison.error && !comparison.data) return <ErrorBox error={comparison.error} title="Compare" />;
  if (!comparison.data) return <Loading what="comparison" />;
  const { versions, comparisons } = comparison.data;
  const sameData = comparisons.every((c) => c.sameData);
  return (
    <>
      <nav className="crumbs">
        <a href={href.models()}>Models</a> / <span>compare</span>
      </nav>
      <h1>Compare {versions.map((v) => v.label).join(' · ')}</h1>
      {!sameData ? (
        <p className="error-box">
          These evaluations were scored on different data (dataset version or split): the differences mix
          model and data.
        </p>
      ) : null}
      <Section title="Hyperparameters that differ">
        <HyperparameterTable versions={versions} />
      </Section>
      <Section title="Metrics">
        <MetricsTable versions={versions} comparisons={comparisons} />
      </Section>
      <OverlaidCurves versions={versions} />
      <Section title="Training curves">
        <TrainingCurves versions={versions} />
      </Section>
    </>
  );
}

function VersionHeader({ version }: { version: ComparedVersion }) {
  return (
    <th>
      <a href={href.evaluation(version.evaluation.id)}>{version.label}</a>{' '}
      <StatusBadge status={version.evaluation.verdict} />
    </th>
  );
}

function MetricsTable({
  versions,
  comparisons,
}: {
  versions: ComparedVersion[];
  comparisons: Parameters<typeof metricComparisonRows>[0];
}) {
  const rows = metricComparisonRows(comparisons);
  if (rows.length === 0) return <Empty>These evaluations share no numeric metric.</Empty>;
  const others = versions.slice(1);
  return (
    <table className="table" data-testid="comparison">
      <thead>
        <tr>
          <th>metric</th>
          <VersionHeader version={versions[0]!} />
          {others.map((v) => (
            <VersionHeader key={v.evaluation.id} version={v} />
          ))}
          {others.map((v) => (
            <th key={v.evaluation.id}>change ({v.label})</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.metric} data-metric={row.metric}>
            <td>{row.metric}</td>
            <td>{formatMetric(row.base)}</td>
            {row.others.map((o, i) => (
              <td key={i}>{formatMetric(o.value)}</td>
            ))}
            {row.others.map((o, i) => (
              <td key={i} className={changeDirection(row.metric, o.difference) ?? ''}>
                {o.difference === null
                  ? '—'
                  : `${o.difference > 0 ? '+' : ''}${formatMetric(o.difference)} (${formatRelative(o.relative)})`}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HyperparameterTable({ versions }: { versions: ComparedVersion[] }) {
  if (versions.some((v) => v.hyperparameters === null))
    return <Empty>A version has no run, so its hyperparameters are unknown.</Empty>;
  const rows = hyperparameterDiff(versions.map((v) => v.hyperparameters!));
  if (rows.length === 0) return <Empty>Every version was trained with the same hyperparameters.</Empty>;
  return (
    <table className="table" data-testid="hyperparameter-diff">
      <thead>
        <tr>
          <th>hyperparameter</th>
          {versions.map((v) => (
            <th key={v.evaluation.id}>{v.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.name} data-name={row.name}>
            <td>{row.name}</td>
            {row.values.map((value, i) => (
              <td key={i}>
                <code>{formatHyperparameter(value)}</code>
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OverlaidCurves({ versions }: { versions: ComparedVersion[] }) {
  const curves = useMemo(() => {
    const pick = (field: 'roc' | 'pr'): CurveInput[] =>
      versions.flatMap((v) => {
        const points = curvePoints(v.evaluation.curves?.[field]);
        return points ? [{ name: v.label, points }] : [];
      });
    return { roc: pick('roc'), pr: pick('pr') };
  }, [versions]);
  return (
    <Section title="ROC and precision-recall, overlaid">
      {curves.roc.length > 0 || curves.pr.length > 0 ? (
        <div className="charts" data-testid="compare-curves">
          {curves.roc.length > 0 ? (
            <CurveChart
              id="roc"
              title="ROC"
              xLabel="false positive rate"
              yLabel="true positive rate"
              curves={curves.roc}
              reference
            />
          ) : null}
          {curves.pr.length > 0 ? (
            <CurveChart
              id="pr"
              title="Precision-recall"
              xLabel="recall"
              yLabel="precision"
              curves={curves.pr}
            />
          ) : null}
        </div>
      ) : (
        <Empty>No stored binary ROC or precision-recall curves in these evaluations.</Empty>
      )}
    </Section>
  );
}

function TrainingCurves({ versions }: { versions: ComparedVersion[] }) {
  const charts = useMemo(
    () =>
      overlaidMetricCharts(
        versions.flatMap((v) => (v.metrics ? [{ label: v.label, series: v.metrics }] : [])),
      ),
    [versions],
  );
  if (charts.length === 0) return <Empty>No training metrics recorded for these versions.</Empty>;
  return (
    <div className="charts" data-testid="training-curves">
      {charts.map((chart) => (
        <LineChart key={chart.key} chart={chart} />
      ))}
    </div>
  );
}
