/**
 * Per-prediction token attributions for text classifiers: leave-one-token-out occlusion (Li,
 * Monroe & Jurafsky 2016, "Understanding Neural Networks through Representation Erasure"). Each
 * token the model reads is credited with how much the explained class's probability falls when
 * that one occurrence is removed from the text: p(text) − p(text without it). Model-agnostic
 * (it needs only predictions), so it serves every text family, recurrent ones included.
 * Cost bound: tokens + 2 texts in one model call (the text, the empty text as a reference, and
 * one per token), the tokens capped at `maxTokens` (the model's own maxLength: it reads no more).
 */
import type { Prediction } from '../families/types.ts';
import { tokenize } from '../preprocessing/tokenizer.ts';

export interface TokenContribution {
  /** Position of the token in the tokenised text. */
  index: number;
  token: string;
  contribution: number;
}

export interface TokenAttribution {
  label: string;
  probability: number;
  /** The probability of the label for the empty text (every token removed). */
  emptyProbability: number;
  tokens: string[];
  /** Largest |contribution| first. */
  contributions: TokenContribution[];
  evaluations: number;
}

export async function explainTextPrediction(options: {
  predict(rows: { text: string }[]): Promise<Prediction[]>;
  text: string;
  maxTokens: number;
  label?: string;
}): Promise<TokenAttribution> {
  const tokens = tokenize(options.text).slice(0, options.maxTokens);
  const rows = [
    { text: tokens.join(' ') },
    { text: '' },
    ...tokens.map((_, i) => ({ text: tokens.filter((__, j) => j !== i).join(' ') })),
  ];
  const predictions = await options.predict(rows);
  const label = options.label ?? predictions[0]?.label ?? '';
  if (predictions[0]?.probabilities?.[label] === undefined)
    throw new Error(`explain: the model gives no probability for label ${JSON.stringify(label)}`);
  const p = (i: number) => predictions[i]?.probabilities?.[label] ?? 0;
  const contributions = tokens
    .map((token, index) => ({ index, token, contribution: p(0) - p(index + 2) }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.index - b.index);
  return {
    label,
    probability: p(0),
    emptyProbability: p(1),
    tokens,
    contributions,
    evaluations: rows.length,
  };
}
