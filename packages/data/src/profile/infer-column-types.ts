/**
 * Proposes a type for each tabular column from the raw values ingest saw, with the reason, so
 * that the profile can say why: a column of a few distinct integers is most likely a code (a
 * customer segment numbered 1–39) and standardising it as a number would invent an order; a
 * column whose every value differs is an identifier; ISO dates are timestamps; long strings
 * are text. A declared type always wins; the proposal is still shown beside it.
 */
import type { ColumnType, ColumnTypes } from '@lathe/contract';

/** At most this many distinct integers make a column look like codes… */
export const MAX_CODE_LEVELS = 50;
/** …and only when each code repeats: distinct values at most this share of the values. */
const MAX_CODE_SHARE = 0.1;
/** Fewer values than this say nothing about uniqueness (ten rows are always distinct). */
const MIN_ROWS_FOR_ID = 50;
/** Distinct values are tracked until they can decide nothing more (see `add`), at most this many. */
const DISTINCT_TRACKED = 10_000;
/** Strings sampled for "is this free text" (the first ones of each column). */
const TEXT_SAMPLE = 10_000;
const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface ColumnTypeProposal {
  /** How ingest stored the column: the declared type, else numeric when every value is a number. */
  used: ColumnType;
  declared: boolean;
  proposed: ColumnType;
  reason: string;
}

class ColumnObservation {
  values = 0;
  numbers = 0;
  integers = 0;
  strings = 0;
  dates = 0;
  longStrings = 0;
  min = Infinity;
  max = -Infinity;
  readonly distinct = new Set<string>();
  /** A value seen twice: the column is no identifier. */
  repeated = false;
  tracking = true;

  /** Values stored as numbers (a declared categorical's codes are stored as strings). */
  storedNumbers = 0;

  add(value: unknown): void {
    if (value === null || value === undefined || value === '') return;
    this.values += 1;
    if (typeof value === 'number') this.storedNumbers += 1;
    // A code stored as the string "3" is still an integer for the proposal.
    const number = typeof value === 'number' ? value : NUMERIC.test(String(value)) ? Number(value) : NaN;
    if (Number.isFinite(number)) {
      this.numbers += 1;
      if (Number.isInteger(number)) this.integers += 1;
      if (number < this.min) this.min = number;
      if (number > this.max) this.max = number;
    } else {
      const text = String(value);
      // Only while every string so far was a date: one that is not settles it.
      if (this.dates === this.strings && ISO_DATE.test(text) && Number.isFinite(Date.parse(text)))
        this.dates += 1;
      if (this.strings < TEXT_SAMPLE && (text.length > 40 || text.split(/\s+/).length > 4))
        this.longStrings += 1;
      this.strings += 1;
    }
    if (this.tracking) {
      const size = this.distinct.size;
      this.distinct.add(String(value));
      if (this.distinct.size === size) this.repeated = true;
      // Over the code limit with a repeat: neither codes nor an id, nothing more to learn.
      // No repeat in the first DISTINCT_TRACKED values: taken as an id.
      if ((this.repeated && this.distinct.size > MAX_CODE_LEVELS) || this.distinct.size >= DISTINCT_TRACKED)
        this.tracking = false;
    }
  }
}

/**
 * Collects what each column held, row by row, in bounded memory (≤ 10,000 distinct values per
 * column) and little time: distinct values stop being tracked once they can decide nothing.
 */
export class ColumnTypeInference {
  private readonly columns = new Map<string, ColumnObservation>();

  /** One stored row's features; `keys` are the id columns kept beside them. */
  add(features: Record<string, unknown>, keys?: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(features)) this.observe(name, value);
    for (const [name, value] of Object.entries(keys ?? {})) this.observe(name, value);
  }

  private observe(name: string, value: unknown): void {
    let column = this.columns.get(name);
    if (!column) this.columns.set(name, (column = new ColumnObservation()));
    column.add(value);
  }

  result(declared: ColumnTypes = {}): Record<string, ColumnTypeProposal> {
    const out: Record<string, ColumnTypeProposal> = {};
    for (const [name, column] of this.columns) {
      const { type: proposed, reason } = propose(column);
      const own = declared[name];
      const used: ColumnType =
        own ?? (column.values > 0 && column.storedNumbers === column.values ? 'numeric' : 'categorical');
      out[name] = {
        used,
        declared: own !== undefined,
        proposed,
        reason: own !== undefined && own !== proposed ? `declared ${own}; ${reason}` : reason,
      };
    }
    return out;
  }
}

function propose(column: ColumnObservation): { type: ColumnType; reason: string } {
  const n = column.values;
  if (n === 0) return { type: 'ignore', reason: 'no values: every row is empty' };
  const distinct = column.distinct.size;
  const allDistinct = !column.repeated;
  const distinctText = column.tracking
    ? `${distinct} distinct`
    : column.repeated
      ? `over ${MAX_CODE_LEVELS} distinct`
      : `over ${DISTINCT_TRACKED} distinct`;
  if (column.numbers === n) {
    if (column.integers === n) {
      if (distinct <= MAX_CODE_LEVELS && distinct <= Math.max(2, n * MAX_CODE_SHARE))
        return {
          type: 'categorical',
          reason: `${distinct} distinct integer values (${column.min}–${column.max}) in ${n} rows: likely codes; declare it numeric if the order and spacing mean something`,
        };
      if (allDistinct && n >= MIN_ROWS_FOR_ID)
        return {
          type: 'id',
          reason: `${allDifferent(column, 'integer values')}: likely an identifier`,
        };
    }
    return { type: 'numeric', reason: `${n} numbers, ${distinctText} values (${column.min}–${column.max})` };
  }
  if (column.dates === n) return { type: 'timestamp', reason: `all ${n} values are ISO 8601 dates` };
  if (allDistinct && n >= MIN_ROWS_FOR_ID)
    return { type: 'id', reason: `${allDifferent(column, 'values')}: likely an identifier` };
  const sampled = Math.min(column.strings, TEXT_SAMPLE);
  if (column.longStrings * 2 > sampled)
    return {
      type: 'text',
      reason: `${column.longStrings} of ${sampled === column.strings ? '' : 'the first '}${sampled} values are long (over 40 characters or 4 words): free text`,
    };
  const numbersNote = column.numbers > 0 ? ` (${n - column.numbers} of ${n} are not numbers)` : '';
  return { type: 'categorical', reason: `${distinctText} string values in ${n} rows${numbersNote}` };
}

function allDifferent(column: ColumnObservation, what: string): string {
  return column.tracking
    ? `every one of the ${column.values} ${what} is different`
    : `the first ${DISTINCT_TRACKED} of the ${column.values} ${what} are all different`;
}
