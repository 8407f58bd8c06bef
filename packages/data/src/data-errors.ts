/**
 * Errors of ingest. Each failure class has its own stable `code` and says where it happened:
 * a byte offset for encoding/compression problems, a line or row number and a column for
 * content problems.
 */
import { LatheError, ValidationError, type ErrorDetails } from '@lathe/core';

/** A structural problem that stops reading the source (bad bytes, bad framing). */
export class DataSourceError extends ValidationError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(message, details, code);
  }
}

/** One rule broken by one value of one row. */
export interface RowIssue {
  code: string;
  /** 1-based data row (the header is not a row). */
  row: number;
  /** 1-based physical line in a text source, when known. */
  line?: number;
  column: string;
  /** The offending value, shortened for display. */
  value: string;
  rule: string;
}

export function showValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = '(absent)';
  else if (value === null) text = '(null)';
  else if (value instanceof Uint8Array) text = `<${value.length} bytes>`;
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number') text = String(value);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function describeIssue(issue: RowIssue): string {
  const where = issue.line !== undefined ? `row ${issue.row} (line ${issue.line})` : `row ${issue.row}`;
  return `${where}, column \`${issue.column}\`: value ${issue.value} ${issue.rule}`;
}

/** Rows broke rules under the `fail` policy: the first N issues and the total. */
export class RowValidationError extends ValidationError {
  readonly issues: RowIssue[];
  readonly totalIssues: number;

  /** `label` names the source as its user knows it (their file name, not a server path). */
  constructor(issues: RowIssue[], totalIssues: number, byCode: Record<string, number>, label = 'the source') {
    const first = issues[0];
    const more = totalIssues - issues.length;
    const codes = Object.entries(byCode)
      .map(([code, count]) => `${count} ${code}`)
      .join(', ');
    const message =
      `${totalIssues} invalid value${totalIssues === 1 ? '' : 's'} (${codes}); ` +
      issues.map(describeIssue).join('; ') +
      (more > 0 ? `; and ${more} more` : '') +
      `. Fix ${label}, or ingest with invalidRows "drop" to skip such rows (\`--invalid-rows drop\` in the CLI, \`invalidRows=drop\` on the upload route).`;
    // The error takes the code of the first problem, so each kind of bad file is told apart.
    super(message, { issues, totalIssues, byCode }, first?.code ?? 'invalid_rows');
    this.issues = issues;
    this.totalIssues = totalIssues;
  }
}

export class IngestAbortedError extends LatheError {
  constructor() {
    super('ingest_aborted', 'ingest was cancelled before it finished; nothing was stored', {
      httpStatus: 499,
      permanent: true,
    });
  }
}
