/**
 * Randomised response for a categorical value (Warner 1965, "Randomized Response: A Survey
 * Technique for Eliminating Evasive Answer Bias"; the k-ary form of Kairouz, Oh & Viswanath
 * 2016): the true category is kept with probability p = e^ε / (e^ε + k − 1), otherwise one of
 * the k − 1 others is reported uniformly, each with q = 1 / (e^ε + k − 1). p/q = e^ε: the
 * report is ε-differentially private. Frequencies are recovered unbiasedly from the reports.
 */
import type { Random } from '@lathe/core';

export function keepProbability(epsilon: number, k: number): number {
  const e = Math.exp(epsilon);
  return e / (e + k - 1);
}

/** The reported category for a true `value` (which must be one of `categories`). */
export function randomisedResponse(
  value: string,
  categories: readonly string[],
  epsilon: number,
  random: Random,
): string {
  const k = categories.length;
  if (random() < keepProbability(epsilon, k)) return value;
  const others = categories.filter((c) => c !== value);
  return others[Math.min(others.length - 1, Math.floor(random() * others.length))]!;
}

/**
 * Unbiased estimate of each category's true share from reported counts:
 * π̂ = (f − q) / (p − q), f the reported share (Wang, Blocki, Li & Jha 2017, eq. 2).
 */
export function estimateShares(
  reported: Record<string, number>,
  categories: readonly string[],
  epsilon: number,
): Record<string, number> {
  const n = categories.reduce((sum, c) => sum + (reported[c] ?? 0), 0);
  const p = keepProbability(epsilon, categories.length);
  const q = (1 - p) / (categories.length - 1);
  return Object.fromEntries(categories.map((c) => [c, ((reported[c] ?? 0) / Math.max(n, 1) - q) / (p - q)]));
}
