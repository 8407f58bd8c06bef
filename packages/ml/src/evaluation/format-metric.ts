/**
 * Numbers in gate reasons: 3 decimals, more only when 3 would print two different values the
 * same ("0.8200 < required 0.8201" rather than "0.820 < required 0.820").
 */
export function formatPair(a: number, b: number): [string, string] {
  for (let digits = 3; digits <= 12; digits++) {
    const fa = a.toFixed(digits);
    const fb = b.toFixed(digits);
    if (fa !== fb || a === b) return [fa, fb];
  }
  return [String(a), String(b)];
}

export function formatNumber(value: number): string {
  return value.toFixed(3);
}

/** A declared allowance as the user wrote it: 0.01 → "0.01", relative 0.02 → "2%". */
export function formatAllowance(value: number, relative: boolean): string {
  return relative ? `${Number((value * 100).toPrecision(12))}%` : String(value);
}
