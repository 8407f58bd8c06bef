/** Every model name with its latest version, version count and aliases. */
import { useApiData } from '../api/api-context.tsx';
import type { ModelSummary } from '@lathe/contract';
import { Empty, ErrorBox, Loading, Section } from '../components/common.tsx';
import { formatAgo, formatMetric } from '../format/format.ts';
import { numericMetrics } from '../evaluations/metric-table.ts';
import { href } from '../routing/routes.ts';

export function ModelsPage({ now }: { now: number }) {
  const models = useApiData<{ items: ModelSummary[] }>('/models');
  return (
    <Section title="Models">
      <ErrorBox error={models.error} />
      {models.loading && !models.data ? <Loading what="models" /> : null}
      {models.data && models.data.items.length === 0 ? (
        <Empty>No model versions yet: a run's train stage registers them.</Empty>
      ) : null}
      {models.data && models.data.items.length > 0 ? (
        <table className="table" data-testid="models">
          <thead>
            <tr>
              <th>model</th>
              <th>versions</th>
              <th>aliases</th>
              <th>latest</th>
              <th>latest metrics</th>
            </tr>
          </thead>
          <tbody>
            {models.data.items.map((m) => (
              <tr key={m.modelName}>
                <td>
                  <a href={href.model(m.modelName)}>{m.modelName}</a>
                  <div className="muted small">
                    {m.latest.useCase} · {m.latest.modelFamily}
                  </div>
                </td>
                <td>{m.versions}</td>
                <td>
                  {Object.entries(m.aliases).map(([alias, version]) => (
                    <span key={alias} className="badge badge-info">
                      {alias} → v{version}
                    </span>
                  ))}
                </td>
                <td>
                  v{m.latest.version} · {formatAgo(m.latest.createdAt, now)}
                </td>
                <td className="small">
                  {numericMetrics(m.latest.metrics)
                    .slice(0, 4)
                    .map(([k, v]) => `${k} ${formatMetric(v)}`)
                    .join(' · ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
