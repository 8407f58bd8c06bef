/**
 * Secrets in specs, refused with one message per field that says where the secret belongs
 * instead: a named connection (docs/connections.md), LATHE_PII_SALT, or no credentials at all.
 * The API refuses request bodies with it (422 `secret_in_request`); the ingest stage refuses a
 * stored spec that still holds one, or holds one the redaction migration replaced by `***`.
 */
import { NAMED_CONNECTION_ADVICE } from '@lathe/contract';
import { findSecrets, ValidationError, type SecretFinding } from '@lathe/core';

/** What to do about a secret at `finding.field`, in words; never the secret. */
export function secretMessage(finding: SecretFinding): string {
  const what = finding.redacted
    ? `held ${finding.reason}, removed when Lathe stopped storing secrets`
    : `holds ${finding.reason}: Lathe never stores secrets in the registry`;
  const leaf = finding.field.split('.').pop() ?? '';
  const advice = finding.reason.startsWith('the PII hashing salt')
    ? "remove it and set LATHE_PII_SALT in the ingest workers' environment instead"
    : leaf === 'url' || finding.reason.startsWith('credentials in the user part')
      ? 'give a URL the ingest workers can read without credentials, upload the file (POST /datasets/{id}/versions), or read the data through a named Postgres connection (docs/connections.md)'
      : NAMED_CONNECTION_ADVICE;
  return `${what}; ${advice}`;
}

/** Throws a 422 ValidationError naming every secret in `value` (fields under `prefix`). */
export function refuseSecrets(value: unknown, prefix: string, code = 'secret_in_request'): void {
  const findings = findSecrets(value, prefix);
  if (findings.length === 0) return;
  const errors = findings.map((finding) => ({ field: finding.field, message: secretMessage(finding) }));
  const first = errors[0]!;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more: ${errors
          .slice(1)
          .map((e) => e.field)
          .join(', ')})`
      : '';
  throw new ValidationError(`${first.field} ${first.message}${more}`, { errors }, code);
}
