/**
 * A dataset's privacy budget and the ledger of what spent it. A perturbed version spends its ε
 * (per record, summed over its perturbed columns: sequential composition, Dwork, McSherry,
 * Nissim & Smith 2006) in the transaction that registers it, after locking the dataset row, so
 * two concurrent ingests cannot both pass the check and overspend. The budget is fixed by the
 * first perturbed version: a budget that could be raised later would bound nothing.
 */
import { ConflictError } from '@lathe/core';
import type { PrivacyLedgerEntry } from '../generated/prisma/client.ts';
import type { RegistryTx } from '../client.ts';
import type { Db, Json } from './db.ts';

export interface PrivacySpend {
  kind: 'perturbed_version' | 'released_statistic';
  epsilon: number;
  /** The dataset's total budget as the spec declares it. */
  budget: number;
  detail: Json;
}

export interface PrivacyBudget {
  datasetId: string;
  budget: number | null;
  spent: number;
  remaining: number | null;
  entries: PrivacyLedgerEntry[];
}

// Float sums of ε written as decimals (0.1 + 0.2): a spend that lands exactly on the budget passes.
const TOLERANCE = 1e-9;

export async function privacyBudgetOf(db: Db, datasetId: string): Promise<PrivacyBudget> {
  const dataset = await db.dataset.findUnique({
    where: { id: datasetId },
    select: { privacyEpsilonBudget: true },
  });
  const entries = await db.privacyLedgerEntry.findMany({
    where: { datasetId },
    orderBy: { createdAt: 'asc' },
  });
  const spent = entries.reduce((sum, e) => sum + e.epsilon, 0);
  const budget = dataset?.privacyEpsilonBudget ?? null;
  return {
    datasetId,
    budget,
    spent,
    remaining: budget === null ? null : Math.max(0, budget - spent),
    entries,
  };
}

/** Refuses a spend the budget cannot take; the error says what was spent and what is left. */
export function checkPrivacySpend(
  current: Pick<PrivacyBudget, 'budget' | 'spent'>,
  spend: PrivacySpend,
  datasetId: string,
): void {
  if (current.budget !== null && Math.abs(current.budget - spend.budget) > TOLERANCE)
    throw new ConflictError(
      'privacy_budget_conflict',
      `dataset ${datasetId} has a privacy budget of ε=${current.budget}, fixed by its first perturbed version; the spec declares ε=${spend.budget}. Declare the same budget (it cannot be raised), or ingest into a new dataset`,
      { datasetId, budget: current.budget, declared: spend.budget },
    );
  const budget = current.budget ?? spend.budget;
  if (current.spent + spend.epsilon > budget + TOLERANCE)
    throw new ConflictError(
      'privacy_budget_exceeded',
      `dataset ${datasetId} has spent ε=${round(current.spent)} of its budget ε=${budget}; this ingest would spend ε=${round(spend.epsilon)} more (${round(budget - current.spent)} left). Perturb fewer columns or with a smaller ε, or ingest into a new dataset`,
      { datasetId, budget, spent: current.spent, requested: spend.epsilon },
    );
}

/** In the registering transaction: lock the dataset, check the spend, fix the budget if unset. */
export async function reservePrivacySpend(
  tx: RegistryTx,
  datasetId: string,
  spend: PrivacySpend,
): Promise<void> {
  await tx.$queryRaw`SELECT "id" FROM "Dataset" WHERE "id" = ${datasetId} FOR UPDATE`;
  const current = await privacyBudgetOf(tx, datasetId);
  checkPrivacySpend(current, spend, datasetId);
  if (current.budget === null)
    await tx.dataset.update({ where: { id: datasetId }, data: { privacyEpsilonBudget: spend.budget } });
}

export async function recordPrivacySpend(
  tx: RegistryTx,
  datasetId: string,
  datasetVersionId: string | null,
  spend: PrivacySpend,
): Promise<PrivacyLedgerEntry> {
  return tx.privacyLedgerEntry.create({
    data: { datasetId, datasetVersionId, kind: spend.kind, epsilon: spend.epsilon, detail: spend.detail },
  });
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
