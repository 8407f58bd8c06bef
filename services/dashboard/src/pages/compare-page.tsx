/** Two evaluations side by side, metric by metric (GET /evaluations/compare). */
import { useApiData } from '../api/api-context.tsx';
import { withQuery } from '../api/api-client.ts';
import type { EvaluationComparison } from '../api/api-types.ts';
import { ErrorBox, Loading, Section, StatusBadge } from '../components/common.tsx';
import { changeDirection } from '../evaluations/metric-table.ts';
import { formatMetric, formatRelative, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function ComparePage({ a, b }: { a: string; b: string }) {
  const comparison = useApiData<EvaluationComparison>(withQuery('/evaluations/compare', { a, b }));
  if (comparison.error) return <ErrorBox error={comparison.error} title="Compare" />;
  if (!comparison.data) return <Loading what="comparison" />;
  const c = comparison.data;
  return (
    <>
      <h1>Compare evaluations</h1>
      <Section title="Side by side">
        {!c.sameData ? (
          <p className="error-box">
            These evaluations were scored on different data (dataset version or split): the differences mix
            model and data.
          </p>
        ) : null}
        <table className="table" data-testid="comparison">
          <thead>
            <tr>
              <th>metric</th>
              <th>
                A <a href={href.evaluation(c.a.id)}>{shortId(c.a.id)}</a> <StatusBadge status={c.a.verdict} />
              </th>
              <th>
                B <a href={href.evaluation(c.b.id)}>{shortId(c.b.id)}</a> <StatusBadge status={c.b.verdict} />
              </th>
              <th>B − A</th>
              <th>relative</th>
            </tr>
          </thead>
          <tbody>
            {c.metrics.map((m) => (
              <tr key={m.metric}>
                <td>{m.metric}</td>
                <td>{formatMetric(m.a)}</td>
                <td>{formatMetric(m.b)}</td>
                <td className={changeDirection(m.metric, m.difference) ?? ''}>
                  {m.difference === null
                    ? '—'
                    : `${m.difference > 0 ? '+' : ''}${formatMetric(m.difference)}`}
                </td>
                <td>{formatRelative(m.relative)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
