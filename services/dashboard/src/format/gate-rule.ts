import type { GateRule } from '@lathe/contract';

/** "≥ 0.8", "at most 0.01 below production", "at most 5% above production". */
export function describeGateRule(rule: GateRule): string {
  if ('op' in rule) return `${rule.op === '>=' ? '≥' : '≤'} ${rule.value}`;
  const [amount, direction] =
    'maxDecrease' in rule ? [rule.maxDecrease, 'below'] : [rule.maxIncrease, 'above'];
  const shown = rule.relative ? `${+(amount * 100).toFixed(4)}%` : String(amount);
  return `at most ${shown} ${direction} production`;
}
