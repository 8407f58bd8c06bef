/**
 * The ingest options `lathe dataset ingest` and `lathe experiment create` share: the target
 * column, declared column types, PII policy, split and the invalid-row policy. An upload sends
 * them as the API's query parameters; an experiment stores them in its source spec.
 */
import type { Command } from 'commander';
import { CliError } from './io.ts';

export const COLUMN_TYPE_FLAGS = ['categorical', 'numeric', 'text', 'id', 'timestamp', 'ignore'] as const;
type ColumnTypeFlag = (typeof COLUMN_TYPE_FLAGS)[number];

export interface IngestFlags {
  target?: string;
  categorical?: string;
  numeric?: string;
  text?: string;
  id?: string;
  timestamp?: string;
  ignore?: string;
  pii?: string;
  split?: string;
  splitFractions?: string;
  splitSeed?: string;
  invalidRows?: string;
}

const HELP: Record<ColumnTypeFlag, string> = {
  categorical: 'columns whose values are codes (one-hot or embedded, even integers), e.g. STYPE,MOSHOOFD',
  numeric: 'columns that must parse as numbers',
  text: 'free-text columns',
  id: 'identifier columns: kept with each row for joins and scoring output, never a model input',
  timestamp: 'date columns (ISO dates or epoch seconds/ms)',
  ignore: 'columns to drop at ingest',
};

/** Adds the ingest option flags to a command. */
export function withIngestFlags(command: Command): Command {
  command.option('--target <column>', 'tabular: the label column (default: a column named target)');
  for (const flag of COLUMN_TYPE_FLAGS) command.option(`--${flag} <columns>`, `tabular: ${HELP[flag]}`);
  return command
    .option(
      '--pii <pairs>',
      'column:action pairs, action hash, remove or generalise, e.g. email:hash,name:remove',
    )
    .option('--split <strategy>', 'random, stratified, time or leave-last-n-out (default random)')
    .option('--split-fractions <fractions>', 'train,validation,test summing to 1 (default 0.8,0.1,0.1)')
    .option('--split-seed <seed>', 'seed of the split (default 42)')
    .option('--invalid-rows <policy>', 'fail (default) or drop: skip invalid rows, counted');
}

/** The flags as the upload route's query parameters (the API validates and explains them). */
export function ingestQuery(flags: IngestFlags): URLSearchParams {
  const query = new URLSearchParams();
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) query.set(name, value);
  };
  set('target', flags.target);
  for (const flag of COLUMN_TYPE_FLAGS) set(flag, flags[flag]);
  set('pii', flags.pii);
  set('split', flags.split);
  set('splitFractions', flags.splitFractions);
  set('splitSeed', flags.splitSeed);
  set('invalidRows', flags.invalidRows);
  return query;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The flags as fields of a stored ingest spec (an experiment's source): `columnMap.target`,
 * `columnTypes`, `pii.columns`, `split`, `invalidRows`. The API validates the spec; only what
 * the flags cannot say unambiguously is refused here.
 */
export function ingestSpecFields(flags: IngestFlags): Record<string, unknown> {
  const columnTypes: Record<string, ColumnTypeFlag> = {};
  for (const flag of COLUMN_TYPE_FLAGS) {
    for (const column of list(flags[flag])) {
      const earlier = columnTypes[column];
      if (earlier !== undefined && earlier !== flag)
        throw new CliError(`column ${column} is given to both --${earlier} and --${flag}`);
      columnTypes[column] = flag;
    }
  }
  const pii: Record<string, string> = {};
  for (const pair of list(flags.pii)) {
    const [column, action] = pair.split(':').map((s) => s.trim());
    if (!column || !action) throw new CliError(`--pii: ${JSON.stringify(pair)} is not column:action`);
    pii[column] = action;
  }
  let split: Record<string, unknown> | undefined;
  if (flags.split !== undefined || flags.splitFractions !== undefined || flags.splitSeed !== undefined) {
    const fractions = flags.splitFractions?.split(',').map((s) => Number(s.trim()));
    if (fractions && (fractions.length !== 3 || fractions.some((f) => !Number.isFinite(f))))
      throw new CliError('--split-fractions must be three numbers: train,validation,test');
    const seed = flags.splitSeed === undefined ? undefined : Number(flags.splitSeed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new CliError('--split-seed must be an integer');
    split = {
      ...(flags.split ? { strategy: flags.split } : {}),
      ...(fractions
        ? { fractions: { train: fractions[0], validation: fractions[1], test: fractions[2] } }
        : {}),
      ...(seed !== undefined ? { seed } : {}),
    };
  }
  return {
    ...(flags.target ? { columnMap: { target: flags.target } } : {}),
    ...(Object.keys(columnTypes).length ? { columnTypes } : {}),
    ...(Object.keys(pii).length ? { pii: { columns: pii } } : {}),
    ...(split ? { split } : {}),
    ...(flags.invalidRows ? { invalidRows: flags.invalidRows } : {}),
  };
}
