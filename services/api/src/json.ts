/**
 * JSON for API responses and audit rows: BigInt (sizes, ids) as strings, dates as ISO strings,
 * and never a secret: the whole value is redacted once, at the root (@lathe/core's
 * redactSecrets: secret-named fields, URL passwords, token parameters become `***`). The
 * registry holds no secrets and the API refuses them on the way in; this is the last line.
 */
import { redactSecrets } from '@lathe/core';

export function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  // JSON.stringify first calls the replacer on a wrapper object { "": value }.
  if (key === '' && isWrapper(this)) return redactSecrets(value);
  return value;
}

function isWrapper(holder: unknown): boolean {
  return (
    holder !== null &&
    typeof holder === 'object' &&
    Object.getPrototypeOf(holder) === Object.prototype &&
    Object.keys(holder).length === 1
  );
}

export function toJsonValue<T>(value: T): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value, jsonReplacer)) as unknown);
}
