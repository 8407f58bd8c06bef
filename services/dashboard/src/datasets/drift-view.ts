/**
 * A dataset version's drift against its parent, as one verdict per column and one overall.
 * When the stored drift gives its own verdict (`drifted`, `verdict`), that is shown; when it
 * gives only a population stability index, the conventional PSI bands decide: below 0.1 no
 * shift, 0.1–0.25 moderate, above 0.25 significant (Siddiqi, "Credit Risk Scorecards", 2006).
 * Pure.
 */

export type DriftLevel = 'none' | 'moderate' | 'drifted' | 'unknown';

export interface ColumnDrift {
  column: string;
  level: DriftLevel;
  /** The statistics stored for the column (psi, ks, pValue, chi2…). */
  stats: Array<{ label: string; value: number | string }>;
  message: string | null;
}

export interface DriftView {
  overall: DriftLevel;
  columns: ColumnDrift[];
  reasons: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function psiLevel(psi: number): DriftLevel {
  if (psi < 0.1) return 'none';
  if (psi <= 0.25) return 'moderate';
  return 'drifted';
}

function levelOf(raw: Record<string, unknown>): DriftLevel {
  if (typeof raw.drifted === 'boolean') return raw.drifted ? 'drifted' : 'none';
  if (typeof raw.drift === 'boolean') return raw.drift ? 'drifted' : 'none';
  const verdict = raw.verdict ?? raw.level ?? raw.status;
  if (typeof verdict === 'string') {
    const v = verdict.toLowerCase();
    if (['none', 'stable', 'ok', 'no_drift', 'pass', 'passed'].includes(v)) return 'none';
    if (['moderate', 'warn', 'warning', 'minor'].includes(v)) return 'moderate';
    if (['drifted', 'drift', 'significant', 'major', 'fail', 'failed', 'alert'].includes(v)) return 'drifted';
  }
  if (isNumber(raw.psi)) return psiLevel(raw.psi);
  return 'unknown';
}

const RANK: Record<DriftLevel, number> = { unknown: 0, none: 1, moderate: 2, drifted: 3 };

function readColumn(column: string, raw: Record<string, unknown>): ColumnDrift {
  const stats = Object.entries(raw)
    .filter(
      ([k, v]) =>
        !['column', 'name', 'message', 'reason', 'verdict', 'level', 'status', 'drifted', 'drift'].includes(
          k,
        ) &&
        (isNumber(v) || typeof v === 'string'),
    )
    .map(([label, value]) => ({ label, value: value as number | string }));
  const message = raw.message ?? raw.reason;
  return { column, level: levelOf(raw), stats, message: typeof message === 'string' ? message : null };
}

export function driftView(drift: unknown): DriftView | null {
  if (!isRecord(drift)) return null;
  const columnsRaw = drift.columns ?? drift.features;
  let columns: ColumnDrift[];
  if (Array.isArray(columnsRaw))
    columns = columnsRaw
      .filter(isRecord)
      .map((c, i) => readColumn(String(c.column ?? c.name ?? `column ${i + 1}`), c));
  else if (isRecord(columnsRaw))
    columns = Object.entries(columnsRaw)
      .filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]))
      .map(([n, c]) => readColumn(n, c));
  else
    columns = Object.entries(drift)
      .filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]))
      .map(([n, c]) => readColumn(n, c));
  const stated = drift.drifted ?? drift.verdict ?? drift.level ?? drift.status;
  const overall =
    stated !== undefined && typeof stated !== 'object'
      ? levelOf({ verdict: typeof stated === 'boolean' ? (stated ? 'drifted' : 'none') : stated })
      : columns.reduce<DriftLevel>(
          (worst, c) => (RANK[c.level] > RANK[worst] ? c.level : worst),
          columns.length ? 'none' : 'unknown',
        );
  const reasonsRaw = drift.reasons;
  const reasons = Array.isArray(reasonsRaw) ? reasonsRaw.map(String) : [];
  return { overall, columns, reasons };
}
