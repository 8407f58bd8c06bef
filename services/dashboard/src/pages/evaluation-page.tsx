/** One evaluation: its metrics against the production baseline, the gate verdict and its reasons. */
import { useApiData } from '../api/api-context.tsx';
import type { Evaluation, ModelVersion } from '../api/api-types.ts';
import { reasonLines } from '../ab-tests/ab-report-view.ts';
import { ErrorBox, KeyValues, Loading, Section, StatusBadge } from '../components/common.tsx';
import { changeDirection, numericMetrics } from '../evaluations/metric-table.ts';
import { formatMetric, formatTimestamp, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function EvaluationPage({ id }: { id: string }) {
  const evaluation = useApiData<Evaluation>(`/evaluations/${encodeURIComponent(id)}`);
  const model = useApiData<ModelVersion>(
    evaluation.data ? `/model-versions/${evaluation.data.modelVersionId}` : null,
  );
  const baseline = useApiData<ModelVersion>(
    evaluation.data?.baselineModelVersionId
      ? `/model-versions/${evaluation.data.baselineModelVersionId}`
      : null,
  );
  if (evaluation.error && !evaluation.data) return <ErrorBox error={evaluation.error} title="Evaluation" />;
  if (!evaluation.data) return <Loading what="evaluation" />;
  const e = evaluation.data;
  const base = e.baselineMetrics ?? {};
  const reasons = reasonLines(e.reasons);
  return (
    <>
      <nav className="crumbs">
        <a href={href.models()}>Models</a> /{' '}
        {model.data ? <a href={href.model(model.data.modelName)}>{model.data.modelName}</a> : '…'} /{' '}
        <span>evaluation {shortId(e.id)}</span>
      </nav>
      <h1>
        Evaluation of{' '}
        {model.data ? `${model.data.modelName} v${model.data.version}` : shortId(e.modelVersionId)}{' '}
        <StatusBadge status={e.verdict} />
      </h1>
      <Section title="Gate">
        <KeyValues
          items={[
            ['verdict', <StatusBadge status={e.verdict} />],
            [
              'data',
              <a
                href={href.datasetVersion(e.datasetVersionId)}
              >{`${shortId(e.datasetVersionId)} (${e.split})`}</a>,
            ],
            [
              'baseline',
              baseline.data
                ? `${baseline.data.modelName} v${baseline.data.version}`
                : e.baselineModelVersionId
                  ? shortId(e.baselineModelVersionId)
                  : 'none (no model in production)',
            ],
            ['run', e.runId ? <a href={href.run(e.runId)}>{shortId(e.runId)}</a> : '—'],
            ['scored', formatTimestamp(e.createdAt)],
          ]}
        />
        {reasons.length > 0 ? (
          <ul className="reasons" data-testid="gate-reasons">
            {reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        ) : null}
        {e.overrideReason ? <p className="notice">Overridden: {e.overrideReason}</p> : null}
      </Section>
      <Section title="Metrics">
        <table className="table">
          <thead>
            <tr>
              <th>metric</th>
              <th>this model</th>
              <th>baseline</th>
              <th>change</th>
            </tr>
          </thead>
          <tbody>
            {numericMetrics(e.metrics).map(([name, value]) => {
              const b = typeof base[name] === 'number' ? (base[name] as number) : null;
              const diff = b === null ? null : value - b;
              const direction = changeDirection(name, diff);
              return (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{formatMetric(value)}</td>
                  <td>{formatMetric(b)}</td>
                  <td className={direction ?? ''}>
                    {diff === null ? '—' : `${diff > 0 ? '+' : ''}${formatMetric(diff)}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
    </>
  );
}
