/**
 * Masks personal data before anything is written: columns marked PII are hashed (HMAC-SHA256
 * with a secret salt: ids stay joinable, values are not recoverable), removed, or generalised;
 * emails and phone numbers found by pattern in free text are replaced. What was done is
 * recorded in the version's `privacy` metadata; raw values never reach the artifact store.
 */
import { createHmac } from 'node:crypto';
import type { PiiSpec } from '@lathe/contract';
import { ValidationError } from '@lathe/core';
import type { SourceRecord } from '../sources/source-record.ts';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// International or local phone numbers of 7+ digits with common separators.
const PHONE = /(?<![\w.])\+?\d[\d\s().-]{6,}\d(?![\w.])/g;

export interface PrivacyReport {
  columns: Record<string, 'hash' | 'remove' | 'generalise'>;
  textScan: boolean;
  emailsReplaced: number;
  phonesReplaced: number;
}

export class PiiMasker {
  readonly report: PrivacyReport;
  private readonly salt: string;
  /** `configuredSalt`: the ingest's configuration (the workers' LATHE_PII_SALT); there is no default. */
  constructor(
    private readonly spec: PiiSpec | undefined,
    textColumns: string[],
    configuredSalt?: string,
  ) {
    const hashed = Object.entries(spec?.columns ?? {}).filter(([, action]) => action === 'hash');
    const salt = spec?.salt ?? configuredSalt;
    // A salt everyone can read (one in the source code) would let anyone hash guesses and match.
    if (hashed.length > 0 && (salt === undefined || salt.length < 8))
      throw new ValidationError(
        `pii: column \`${hashed[0]![0]}\` is to be hashed but no salt is configured: set LATHE_PII_SALT (8+ characters, kept secret and stable) for the ingest workers and the API`,
        { field: 'pii.salt', column: hashed[0]![0] },
        'pii_salt_required',
      );
    this.salt = salt ?? '';
    this.report = {
      columns: { ...(spec?.columns ?? {}) },
      textScan: spec?.scanText ?? true,
      emailsReplaced: 0,
      phonesReplaced: 0,
    };
    this.textColumns = textColumns;
    this.idle =
      Object.keys(spec?.columns ?? {}).length === 0 && (!this.report.textScan || textColumns.length === 0);
  }
  /** Nothing to mask: records pass through without a copy. */
  private readonly idle: boolean;
  private readonly textColumns: string[];

  mask(record: SourceRecord): SourceRecord {
    if (this.idle) return record;
    const values = { ...record.values };
    for (const [column, action] of Object.entries(this.spec?.columns ?? {})) {
      if (!(column in values) || values[column] === null || values[column] === undefined) continue;
      const raw = String(values[column]);
      if (action === 'hash')
        values[column] = createHmac('sha256', this.salt).update(raw).digest('hex').slice(0, 32);
      else if (action === 'remove') delete values[column];
      else values[column] = generalise(raw);
    }
    if (this.report.textScan) {
      for (const column of this.textColumns) {
        const value = values[column];
        if (typeof value !== 'string') continue;
        values[column] = value
          .replace(EMAIL, () => ((this.report.emailsReplaced += 1), '[email]'))
          .replace(PHONE, () => ((this.report.phonesReplaced += 1), '[phone]'));
      }
    }
    return { row: record.row, values };
  }
}

/** Keeps the shape, not the detail: an email keeps its domain, digits become a range. */
function generalise(value: string): string {
  const at = value.indexOf('@');
  if (at > 0) return `*@${value.slice(at + 1)}`;
  const n = Number(value);
  if (Number.isFinite(n)) {
    const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(Math.abs(n) || 1)));
    const low = Math.floor(n / magnitude) * magnitude;
    return `${low}–${low + magnitude}`;
  }
  return value.length > 1 ? `${value[0]}***` : '*';
}
