/**
 * Streaming accumulator for classification: the evaluate stage feeds it one prediction batch at a
 * time (a tfjs `dataSync()` buffer per batch, the tensor disposed right after) and asks for the
 * summary at the end.
 *
 * Memory: labels (2 bytes per row) and the scores needed for ROC/PR curves (8 bytes per row for
 * binary, 8·C per row for C classes) are kept in growable typed arrays, so every metric is EXACT
 * and equals the batch functions. 100k rows × 10 classes is 8 MB. The bound is `maxStoredScores`
 * (default 16M values = 128 MB); past it `add` throws `evaluation_too_large` telling the caller to
 * evaluate on a sample, rather than silently switch to approximate (histogram-binned) curves.
 */
import { LatheError } from '@lathe/core';
import type { Labels, ScoreMatrix } from './inputs.ts';
import { assertFinite, assertLabels } from './inputs.ts';
import { ValidationError } from '@lathe/core';

export interface ClassificationAccumulatorOptions {
  readonly numClasses: number;
  readonly maxStoredScores?: number;
}

export class ClassificationAccumulator {
  readonly numClasses: number;
  /** Columns kept per row: 1 (P(class 1)) for binary, C otherwise. */
  readonly scoreColumns: number;
  private readonly maxStoredScores: number;
  private labels = new Uint16Array(1024);
  private scores: Float64Array;
  private rows = 0;

  constructor(options: ClassificationAccumulatorOptions) {
    if (!Number.isInteger(options.numClasses) || options.numClasses < 2 || options.numClasses > 65535) {
      throw new ValidationError(
        `a classification evaluation needs 2..65535 classes, got ${options.numClasses}`,
      );
    }
    this.numClasses = options.numClasses;
    this.scoreColumns = options.numClasses === 2 ? 1 : options.numClasses;
    this.maxStoredScores = options.maxStoredScores ?? 16_000_000;
    this.scores = new Float64Array(1024 * this.scoreColumns);
  }

  /**
   * Adds a batch. `scores` is row-major: N×C class probabilities, or for binary either N×2 or N
   * values of P(class 1).
   */
  add(yTrue: Labels, scores: ArrayLike<number>): this {
    const n = yTrue.length;
    const binaryVector = this.numClasses === 2 && scores.length === n;
    if (!binaryVector && scores.length !== n * this.numClasses) {
      throw new ValidationError(
        `batch has ${n} labels but ${scores.length} scores; expected ${n * this.numClasses} (${n} rows × ${this.numClasses} classes)` +
          (this.numClasses === 2 ? ` or ${n} probabilities of class 1` : ''),
      );
    }
    assertLabels(yTrue, this.numClasses);
    assertFinite(scores, 'y_score');
    if ((this.rows + n) * this.scoreColumns > this.maxStoredScores) {
      throw new LatheError(
        'evaluation_too_large',
        `evaluating ${this.rows + n} rows × ${this.scoreColumns} scores exceeds the exact-evaluation bound of ${this.maxStoredScores} stored scores; evaluate on a sample of the test split`,
        { httpStatus: 422, details: { rows: this.rows + n, maxStoredScores: this.maxStoredScores } },
      );
    }
    this.reserve(this.rows + n);
    for (let i = 0; i < n; i++) {
      this.labels[this.rows + i] = yTrue[i] as number;
      if (binaryVector) this.scores[this.rows + i] = scores[i] as number;
      else if (this.numClasses === 2) this.scores[this.rows + i] = scores[2 * i + 1] as number;
      else
        for (let j = 0; j < this.numClasses; j++)
          this.scores[(this.rows + i) * this.numClasses + j] = scores[i * this.numClasses + j] as number;
    }
    this.rows += n;
    return this;
  }

  private reserve(rows: number): void {
    if (rows <= this.labels.length) return;
    let capacity = this.labels.length;
    while (capacity < rows) capacity *= 2;
    const labels = new Uint16Array(capacity);
    labels.set(this.labels.subarray(0, this.rows));
    const scores = new Float64Array(capacity * this.scoreColumns);
    scores.set(this.scores.subarray(0, this.rows * this.scoreColumns));
    this.labels = labels;
    this.scores = scores;
  }

  get count(): number {
    return this.rows;
  }

  /** Views of what was added (no copy): labels, and the scores as stored. */
  snapshot(): { yTrue: Uint16Array; scores: ScoreMatrix } {
    return {
      yTrue: this.labels.subarray(0, this.rows),
      scores: {
        rows: this.rows,
        cols: this.scoreColumns,
        data: this.scores.subarray(0, this.rows * this.scoreColumns),
      },
    };
  }
}
