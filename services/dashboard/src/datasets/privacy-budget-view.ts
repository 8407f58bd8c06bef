/** What the privacy panel shows of GET /datasets/:id/privacy: the budget's use and each spend. */
import type { PrivacyBudgetResponse } from '@lathe/contract';

export interface PrivacySpendRow {
  datasetVersionId: string | null;
  kind: string;
  epsilon: number;
  /** e.g. "age: laplace ε=1 · region: randomised-response ε=2" */
  columns: string;
  createdAt: string;
}

export interface PrivacyBudgetView {
  budget: number;
  spent: number;
  remaining: number;
  /** Share of the budget spent, 0..1. */
  used: number;
  rows: PrivacySpendRow[];
}

function describeColumns(detail: unknown): string {
  const columns = (detail as { columns?: Record<string, { mechanism?: string; epsilon?: number }> } | null)
    ?.columns;
  if (!columns) return '';
  return Object.entries(columns)
    .map(([name, c]) => `${name}: ${c.mechanism ?? '?'} ε=${c.epsilon ?? '?'}`)
    .join(' · ');
}

/** Null for a dataset that has never been perturbed (no budget): the panel is not shown. */
export function privacyBudgetView(ledger: PrivacyBudgetResponse | null): PrivacyBudgetView | null {
  if (ledger === null || ledger.budget === null) return null;
  return {
    budget: ledger.budget,
    spent: ledger.spent,
    remaining: ledger.remaining ?? Math.max(0, ledger.budget - ledger.spent),
    used: ledger.budget > 0 ? Math.min(1, ledger.spent / ledger.budget) : 1,
    rows: ledger.entries.map((e) => ({
      datasetVersionId: e.datasetVersionId,
      kind: e.kind,
      epsilon: e.epsilon,
      columns: describeColumns(e.detail),
      createdAt: e.createdAt,
    })),
  };
}
