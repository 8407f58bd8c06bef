/**
 * Word tokenizer and vocabulary built from the training split. Ids: 0 = padding, 1 = out of
 * vocabulary (OOV), then words by descending frequency (ties alphabetical, for determinism).
 */
export const PAD_ID = 0;
export const OOV_ID = 1;

/** Lower-cased runs of letters, digits and apostrophes (Unicode-aware). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

export class VocabularyBuilder {
  private readonly counts = new Map<string, number>();
  add(text: string): void {
    for (const token of tokenize(text)) this.counts.set(token, (this.counts.get(token) ?? 0) + 1);
  }
  build(maxVocab: number, minCount: number): string[] {
    return [...this.counts.entries()]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, Math.max(0, maxVocab - 2))
      .map(([t]) => t);
  }
}

export class Vocabulary {
  private readonly index: Map<string, number>;
  constructor(readonly words: string[]) {
    this.index = new Map(words.map((w, i) => [w, i + 2]));
  }
  get size(): number {
    return this.words.length + 2;
  }
  /** Token ids padded (after) or truncated to `length`; unknown words map to OOV. */
  encode(text: string, length: number): Int32Array {
    const ids = new Int32Array(length); // zero-filled = padding
    const tokens = tokenize(text);
    for (let i = 0; i < Math.min(length, tokens.length); i++) ids[i] = this.index.get(tokens[i]!) ?? OOV_ID;
    return ids;
  }
}
