/** A private dataset's ε budget: how much is spent, and by which perturbed version. */
import type { PrivacyBudgetResponse } from '@lathe/contract';
import { useApiData } from '../api/api-context.tsx';
import { privacyBudgetView } from '../datasets/privacy-budget-view.ts';
import { formatTimestamp } from '../format/format.ts';
import { href } from '../routing/routes.ts';
import { ErrorBox, KeyValues, Section } from './common.tsx';

const eps = (x: number) => `ε ${Number(x.toPrecision(6))}`;

export function PrivacyBudgetPanel({ datasetId }: { datasetId: string }) {
  const ledger = useApiData<PrivacyBudgetResponse>(`/datasets/${encodeURIComponent(datasetId)}/privacy`);
  const view = privacyBudgetView(ledger.data);
  if (ledger.error) return <ErrorBox error={ledger.error} title="Privacy budget" />;
  if (view === null) return null;
  return (
    <Section title="Privacy budget">
      <div data-testid="privacy-budget">
        <KeyValues
          items={[
            ['budget', eps(view.budget)],
            ['spent', eps(view.spent)],
            ['remaining', eps(view.remaining)],
          ]}
        />
        <progress
          max={1}
          value={view.used}
          aria-label={`${Math.round(view.used * 100)}% of the budget spent`}
        />
        <table className="table">
          <thead>
            <tr>
              <th>spent by</th>
              <th>ε</th>
              <th>columns</th>
              <th>when</th>
            </tr>
          </thead>
          <tbody>
            {view.rows.map((row, i) => (
              <tr key={i}>
                <td>
                  {row.datasetVersionId ? (
                    <a href={href.datasetVersion(row.datasetVersionId)}>perturbed version</a>
                  ) : (
                    row.kind.replace('_', ' ')
                  )}
                </td>
                <td>{Number(row.epsilon.toPrecision(6))}</td>
                <td>{row.columns}</td>
                <td>{formatTimestamp(row.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
