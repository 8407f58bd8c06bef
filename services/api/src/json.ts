/** JSON for API responses and audit rows: BigInt (sizes, ids) as strings, dates as ISO strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function toJsonValue<T>(value: T): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value, jsonReplacer)) as unknown);
}
