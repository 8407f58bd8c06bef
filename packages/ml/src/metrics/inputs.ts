/**
 * Input checks and shapes shared by the metric functions. Invalid input (lengths that differ, a
 * label outside 0..C-1, a NaN score) is a bug in the caller and throws a ValidationError naming the
 * row and the value; an input for which a metric is merely undefined returns an UndefinedMetric.
 */
import { ValidationError } from '@lathe/core';

/** Class labels are integer indices 0..numClasses-1 (the column of the model's output). */
export type Labels = ArrayLike<number>;

/**
 * Per-class scores for N rows: an array of rows, or one flat row-major buffer (what a tfjs
 * `dataSync()` of an [N, C] tensor returns) with its number of columns.
 */
export type ScoreMatrixInput =
  readonly ArrayLike<number>[] | { readonly data: ArrayLike<number>; readonly cols: number };

/** Row-major N×C matrix in float64. */
export interface ScoreMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function toScoreMatrix(input: ScoreMatrixInput, name = 'y_score'): ScoreMatrix {
  if ('cols' in input && !Array.isArray(input)) {
    const { data, cols } = input as { data: ArrayLike<number>; cols: number };
    if (!Number.isInteger(cols) || cols < 1)
      throw new ValidationError(`${name}: cols must be a positive integer, got ${cols}`);
    if (data.length % cols !== 0) {
      throw new ValidationError(
        `${name}: flat buffer of length ${data.length} is not a multiple of cols=${cols}`,
      );
    }
    const copy = Float64Array.from(data);
    assertFinite(copy, name);
    return { rows: copy.length / cols, cols, data: copy };
  }
  const rowsIn = input as readonly ArrayLike<number>[];
  const cols = rowsIn[0]?.length ?? 0;
  const data = new Float64Array(rowsIn.length * cols);
  rowsIn.forEach((row, i) => {
    if (row.length !== cols) {
      throw new ValidationError(`${name}: row ${i} has ${row.length} scores, row 0 has ${cols}`, { row: i });
    }
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j] as number;
  });
  assertFinite(data, name);
  return { rows: rowsIn.length, cols, data };
}

export function assertSameLength(
  a: ArrayLike<unknown>,
  b: ArrayLike<unknown>,
  nameA: string,
  nameB: string,
): void {
  if (a.length !== b.length) {
    throw new ValidationError(`${nameA} has ${a.length} rows but ${nameB} has ${b.length}`, {
      [nameA]: a.length,
      [nameB]: b.length,
    });
  }
}

export function assertFinite(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v))
      throw new ValidationError(`${name}[${i}] is ${v}; scores must be finite numbers`, { index: i });
  }
}

/** Checks that labels are integers in 0..numClasses-1. */
export function assertLabels(labels: Labels, numClasses: number, name = 'y_true'): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new ValidationError(`${name}[${i}] is ${v}; labels must be integers in 0..${numClasses - 1}`, {
        index: i,
        value: v,
      });
    }
  }
}

/** Checks that binary labels are 0 or 1. */
export function assertBinaryLabels(labels: Labels, name = 'y_true'): void {
  assertLabels(labels, 2, name);
}

/** Checks probabilities in [0, 1] (scikit-learn's brier_score_loss and calibration_curve refuse others). */
export function assertProbabilities(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v >= 0 && v <= 1))
      throw new ValidationError(`${name}[${i}] is ${v}; probabilities must lie in [0, 1]`, { index: i });
  }
}

/** Number of classes implied by the labels when none is given: max label + 1. */
export function inferNumClasses(...labelSets: Labels[]): number {
  let max = -1;
  for (const labels of labelSets)
    for (let i = 0; i < labels.length; i++) max = Math.max(max, labels[i] as number);
  return max + 1;
}

/** Σ with Neumaier's compensation: sums over 100k rows stay within 1e-15 of the exact value. */
export function stableSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}

export function assertPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new ValidationError(`${name} must be an integer ≥ 1, got ${value}`);
}
