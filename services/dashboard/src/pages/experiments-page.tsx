/** All experiments, newest first, each linking to its page. */
import { useApiData } from '../api/api-context.tsx';
import type { Experiment, Page } from '@lathe/contract';
import { withQuery } from '../api/api-client.ts';
import { Empty, ErrorBox, Loading, Section, StatusBadge } from '../components/common.tsx';
import { formatAgo } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function ExperimentsPage({ now }: { now: number }) {
  const experiments = useApiData<Page<Experiment>>(
    withQuery('/experiments', { limit: 200, archived: 'all' }),
  );
  return (
    <Section title="Experiments">
      <ErrorBox error={experiments.error} />
      {experiments.loading && !experiments.data ? <Loading what="experiments" /> : null}
      {experiments.data && experiments.data.items.length === 0 ? (
        <Empty>
          No experiments yet. Create one with <code>lathe experiment create</code> or POST /experiments.
        </Empty>
      ) : null}
      {experiments.data && experiments.data.items.length > 0 ? (
        <table className="table" data-testid="experiments">
          <thead>
            <tr>
              <th>name</th>
              <th>use case</th>
              <th>model family</th>
              <th>gate rules</th>
              <th>updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {experiments.data.items.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={href.experiment(e.id)}>{e.name}</a>
                  {e.description ? <div className="muted small">{e.description}</div> : null}
                </td>
                <td>{e.useCase}</td>
                <td>{e.modelFamily}</td>
                <td>{e.gate.length}</td>
                <td>{formatAgo(e.updatedAt, now)}</td>
                <td>{e.archivedAt ? <StatusBadge status="stopped" label="archived" /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
