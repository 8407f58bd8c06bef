/**
 * Applies the ingest spec's per-column perturbation to each source record, after PII masking
 * and before normalisation, so nothing downstream (content, profile, histograms, drift) ever
 * sees a raw value of a perturbed column. A value the mechanism cannot take (not a number, a
 * category outside the declared ones, a missing value) is a row issue like any invalid value.
 */
import type { Random } from '@lathe/core';
import type { Perturbation, PrivacySpec } from '@lathe/contract';
import { type RowIssue, showValue } from '../data-errors.ts';
import type { SourceRecord } from '../sources/source-record.ts';
import { laplacePerturb, laplaceScale } from './laplace-mechanism.ts';
import { keepProbability, randomisedResponse } from './randomised-response.ts';

export interface PerturbationReport {
  /** ε each record's release spends: the sum over perturbed columns (sequential composition). */
  epsilon: number;
  columns: Record<
    string,
    | { mechanism: 'laplace'; epsilon: number; lower: number; upper: number; scale: number }
    | { mechanism: 'randomised-response'; epsilon: number; categories: string[]; keepProbability: number }
  >;
}

/** ε a spec spends per record: known before any row is read, so an over-budget ingest reads nothing. */
export function perturbationEpsilon(spec: PrivacySpec | undefined): number {
  return Object.values(spec?.columns ?? {}).reduce((sum, p) => sum + p.epsilon, 0);
}

export function perturbationReport(spec: PrivacySpec | undefined): PerturbationReport | null {
  const entries = Object.entries(spec?.columns ?? {});
  if (entries.length === 0) return null;
  return {
    epsilon: perturbationEpsilon(spec),
    columns: Object.fromEntries(
      entries.map(([column, p]) => [
        column,
        p.mechanism === 'laplace'
          ? { ...p, scale: laplaceScale(p) }
          : { ...p, keepProbability: keepProbability(p.epsilon, p.categories.length) },
      ]),
    ),
  };
}

function perturbValue(
  column: string,
  raw: unknown,
  p: Perturbation,
  row: number,
  random: Random,
): { value: unknown } | { issue: RowIssue } {
  const issue = (code: string, rule: string) => ({
    issue: { code, row, column, value: showValue(raw), rule },
  });
  if (raw === null || raw === undefined || raw === '')
    return issue('privacy_missing_value', 'is missing, and a perturbed column needs a value in every row');
  if (p.mechanism === 'laplace') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isFinite(n)) return issue('privacy_not_numeric', 'is not a number (Laplace noise needs one)');
    return { value: laplacePerturb(n, p, random) };
  }
  const category = String(raw);
  if (!p.categories.includes(category))
    return issue(
      'privacy_unknown_category',
      `is not one of the declared categories (${p.categories.slice(0, 10).join(', ')}${p.categories.length > 10 ? ', …' : ''})`,
    );
  return { value: randomisedResponse(category, p.categories, p.epsilon, random) };
}

export class RecordPerturber {
  private readonly columns: [string, Perturbation][];
  constructor(
    spec: PrivacySpec | undefined,
    private readonly random: Random,
  ) {
    this.columns = Object.entries(spec?.columns ?? {});
  }

  get active(): boolean {
    return this.columns.length > 0;
  }

  perturb(record: SourceRecord): { record: SourceRecord; issues: RowIssue[] } {
    if (!this.active) return { record, issues: [] };
    const values = { ...record.values };
    const issues: RowIssue[] = [];
    for (const [column, p] of this.columns) {
      const result = perturbValue(column, values[column], p, record.row, this.random);
      if ('issue' in result) issues.push(result.issue);
      else values[column] = result.value;
    }
    return { record: { row: record.row, values }, issues };
  }
}
