/** A dataset's privacy budget and the ledger of what spent it. */
import { z } from 'zod';
import { timestamp } from './common.ts';

export const privacyLedgerEntrySchema = z.object({
  id: z.uuid().describe('the ledger entry'),
  kind: z.enum(['perturbed_version', 'released_statistic']).describe('what spent the budget'),
  epsilon: z.number().describe('ε spent (per record, summed over the perturbed columns)'),
  datasetVersionId: z.uuid().nullable().describe('the perturbed version, for a version'),
  detail: z.unknown().describe('per column: mechanism, ε and its parameters'),
  createdAt: timestamp.describe('when the budget was spent'),
});

export const privacyBudgetSchema = z
  .object({
    datasetId: z.uuid().describe('the dataset'),
    budget: z.number().nullable().describe("the dataset's total ε, fixed by its first perturbed version"),
    spent: z.number().describe('ε spent so far (sequential composition: the sum of the entries)'),
    remaining: z.number().nullable().describe('ε left; null before a budget is fixed'),
    entries: z.array(privacyLedgerEntrySchema).describe('what spent it, oldest first'),
  })
  .meta({ id: 'PrivacyBudget', description: "a dataset's differential-privacy budget and its ledger" });
export type PrivacyBudgetResponse = z.infer<typeof privacyBudgetSchema>;
