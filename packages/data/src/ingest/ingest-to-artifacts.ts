/**
 * One ingest: open the source → mask PII → normalise and validate every record → write the
 * normalised JSON Lines to a temp file while hashing and profiling → split → store content and
 * split indices in the artifact store. Nothing is stored unless every step succeeded (invalid
 * rows under the `fail` policy, a bad file, a cancel: the temp file is deleted, the store is
 * untouched). The content's sha256 is the version's identity.
 */
import { rm } from 'node:fs/promises';
import type { ArtifactStore } from '@lathe/artifacts';
import { DataSourceError, IngestAbortedError, type RowIssue, RowValidationError } from '../data-errors.ts';
import { type ColumnType, type IngestSpec, type IngestSpecInput, ingestSpecSchema } from '@lathe/contract';
import type { ColumnTypeProposal } from '../profile/infer-column-types.ts';
import { ContentWriter } from '../content/content-writer.ts';
import type { Random } from '@lathe/core';
import { ValidationError } from '@lathe/core';
import { PiiMasker, type PrivacyReport } from '../normalise/mask-pii.ts';
import { KAnonymityCounter } from '../privacy/k-anonymity.ts';
import { type PerturbationReport, RecordPerturber, perturbationReport } from '../privacy/perturb-records.ts';
import { secureRandom } from '../privacy/secure-random.ts';
import { normaliseRecord } from '../normalise/to-row.ts';
import { ColumnTypeInference } from '../profile/infer-column-types.ts';
import { type DatasetProfile, Profiler } from '../profile/profile.ts';
import type { AnyRow, ImageShape, UseCase } from '@lathe/contract';
import type { SourceConnections } from '../sources/connections.ts';
import { openSource } from '../sources/open-source.ts';
import { splitIndices } from '../split/split-indices.ts';
import { ColumnRuleChecker, checkHeader } from './check-columns.ts';
import { SplitKeyCollector } from './split-keys.ts';

export interface DatasetSchemaInfo {
  useCase: UseCase;
  columns: Array<{
    name: string;
    type: 'number' | 'string' | 'text' | 'image' | 'timestamp';
    role: string;
    /** Tabular: how the column is used (declared, else numeric or categorical by its values). */
    columnType?: ColumnType;
  }>;
  image?: ImageShape;
  labels?: string[];
  implicit?: boolean;
}

export interface StoredSplit {
  strategy: IngestSpec['split']['strategy'];
  seed: number;
  fractions: IngestSpec['split']['fractions'];
  counts: { train: number; validation: number; test: number };
  sha256: string;
  uri: string;
}

export interface IngestResult {
  sha256: string;
  contentUri: string;
  rows: number;
  sizeBytes: number;
  format: 'jsonl';
  schema: DatasetSchemaInfo;
  profile: DatasetProfile;
  split: StoredSplit;
  privacy: PrivacyReport & { perturbation?: PerturbationReport };
  droppedRows: number;
  errors: IssueSample[];
  source: Record<string, unknown>;
}

/** One listed validation issue (the first `maxErrors` of them are kept in the result). */
export type IssueSample = RowIssue;

export interface IngestDeps {
  store: ArtifactStore;
  signal?: AbortSignal;
  onProgress?: (rows: number) => void;
  /** Named Postgres connections from the worker's configuration (docs/connections.md). */
  connections?: SourceConnections;
  /** The secret salt of `hash` PII columns (the workers' LATHE_PII_SALT); required when one is hashed. */
  piiSalt?: string;
  /** Uniform [0, 1) for privacy noise; the OS CSPRNG unless a test passes a seeded one. */
  noiseRandom?: Random;
}

/** Ingests a spec given as written (a library caller's, a test's): parsed here, once. */
export async function ingestToArtifacts(input: IngestSpecInput, deps: IngestDeps): Promise<IngestResult> {
  return ingestSpecToArtifacts(ingestSpecSchema.parse(input), deps);
}

/** Ingests a spec its caller already parsed (the edge that received it did). */
export async function ingestSpecToArtifacts(spec: IngestSpec, deps: IngestDeps): Promise<IngestResult> {
  const opened = await openSource(spec, {
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.connections ? { connections: deps.connections } : {}),
  });
  const image = opened.image ?? spec.schema?.image;
  const masker = new PiiMasker(
    spec.pii,
    spec.useCase === 'nlp' ? [spec.columnMap?.text ?? 'text'] : [],
    deps.piiSalt,
  );
  checkPrivacyColumns(spec.privacy, opened.columns, sourceLabel(spec.source));
  const perturber = new RecordPerturber(spec.privacy, deps.noiseRandom ?? secureRandom());
  const quasiIdentifiers = spec.privacy?.quasiIdentifiers ?? [];
  const kAnonymity =
    quasiIdentifiers.length > 0 ? new KAnonymityCounter(quasiIdentifiers, spec.privacy!.k) : null;
  const profiler = new Profiler(spec.profile.sampleSize);
  checkHeader(
    opened.columns,
    spec.useCase,
    spec.columnMap ?? {},
    spec.schema,
    sourceLabel(spec.source),
    spec.columnTypes,
  );
  const writer = await ContentWriter.open();
  const rules = new ColumnRuleChecker(spec.schema);
  // Per-row keys are kept only when the split strategy needs them, as typed arrays of codes.
  const keys = new SplitKeyCollector(spec.split.strategy);
  const labelSet = new Set<string>();
  let interactions = 0;
  const issues: RowIssue[] = [];
  let totalIssues = 0;
  const byCode: Record<string, number> = {};
  let droppedRows = 0;
  let allImplicit = true;
  const featureTypes = new Map<string, 'number' | 'string'>();
  const inference = spec.useCase === 'tabular' ? new ColumnTypeInference() : null;
  try {
    for await (const record of opened.records) {
      if (deps.signal?.aborted) throw new IngestAbortedError();
      if (spec.limit !== undefined && record.row > spec.limit) break;
      const ruleIssues = rules.active ? rules.check(record) : [];
      const perturbed = perturber.perturb(masker.mask(record));
      const normalised = normaliseRecord(perturbed.record, {
        useCase: spec.useCase,
        columnMap: spec.columnMap ?? {},
        ...(spec.columnTypes ? { columnTypes: spec.columnTypes } : {}),
        ...(spec.schema ? { schema: spec.schema } : {}),
        ...(image ? { image } : {}),
      });
      const rowIssues = [...ruleIssues, ...perturbed.issues, ...(normalised.issues ?? [])];
      if (rowIssues.length > 0 || !normalised.row) {
        totalIssues += rowIssues.length;
        for (const i of rowIssues) byCode[i.code] = (byCode[i.code] ?? 0) + 1;
        if (issues.length < spec.maxErrors)
          issues.push(...rowIssues.slice(0, spec.maxErrors - issues.length));
        droppedRows += 1;
        continue;
      }
      const row = normalised.row;
      await writer.write(row);
      kAnonymity?.add(perturbed.record.values);
      track(row, profiler, featureTypes, image?.channels ?? 1);
      if (inference && 'features' in row) inference.add(row.features, row.keys);
      if ('label' in row) {
        keys.add(row.label);
        if (labelSet.size <= 10_000) labelSet.add(row.label);
      }
      if ('target' in row) {
        const target = String(row.target);
        keys.add(target);
        if (labelSet.size <= 10_000) labelSet.add(target);
      }
      if ('user' in row) {
        keys.add(undefined, row.user, row.timestamp);
        interactions += 1;
        if (row.rating !== null) allImplicit = false;
      }
      if (writer.rows % 10_000 === 0) deps.onProgress?.(writer.rows);
    }
    if (totalIssues > 0 && spec.invalidRows === 'fail')
      throw new RowValidationError(issues, totalIssues, byCode, sourceLabel(spec.source));
    if (writer.rows === 0 && droppedRows === 0) {
      throw new DataSourceError(
        'no_rows',
        `${sourceLabel(spec.source)} has a header${opened.columns.length ? ` (${opened.columns.join(', ')})` : ''} but no data rows`,
      );
    }
    if (writer.rows === 0)
      throw new DataSourceError(
        'no_valid_rows',
        `${sourceLabel(spec.source)} has no valid rows (${droppedRows} dropped)`,
      );
    const sha256 = await writer.finish();
    const split = splitIndices(writer.rows, spec.split, keys.keys());
    const content = await deps.store.put(writer.path);
    if (content.sha256 !== sha256)
      throw new Error(`content hash changed while storing (${sha256} → ${content.sha256})`);
    const splitArtifact = await deps.store.put(Buffer.from(JSON.stringify(split)));
    const labels = labelSet.size > 0 && labelSet.size <= 10_000 ? [...labelSet].sort() : undefined;
    const columnTypes = inference?.result(spec.columnTypes);
    const perturbation = perturbationReport(spec.privacy);
    return {
      sha256,
      contentUri: content.uri,
      rows: writer.rows,
      sizeBytes: content.sizeBytes,
      format: 'jsonl',
      schema: withColumnTypes(
        schemaInfo(spec.useCase, featureTypes, image, labels, interactions ? allImplicit : undefined),
        columnTypes,
      ),
      profile: {
        ...profiler.result(),
        ...(columnTypes ? { columnTypes } : {}),
        ...(kAnonymity ? { kAnonymity: kAnonymity.result() } : {}),
      },
      split: {
        strategy: spec.split.strategy,
        seed: spec.split.seed,
        fractions: spec.split.fractions,
        counts: { train: split.train.length, validation: split.validation.length, test: split.test.length },
        sha256: splitArtifact.sha256,
        uri: splitArtifact.uri,
      },
      privacy: { ...masker.report, ...(perturbation ? { perturbation } : {}) },
      droppedRows,
      errors: issues,
      source: opened.description,
    };
  } finally {
    await writer.discard();
  }
}

function track(
  row: AnyRow,
  profiler: Profiler,
  featureTypes: Map<string, 'number' | 'string'>,
  channels: number,
): void {
  if ('pixels' in row) {
    let sum = 0;
    for (const p of row.pixels) sum += p;
    // Per-image mean brightness as a column (its sample feeds drift); all-pixel stats beside it.
    profiler.addNumber('pixel_mean', sum / Math.max(1, row.pixels.length));
    profiler.addPixels(row.pixels, channels);
    profiler.addLabel(row.label);
    profiler.addCategory('label', row.label);
  } else if ('text' in row) {
    profiler.addNumber('text_words', row.text.split(/\s+/).filter(Boolean).length);
    profiler.addLabel(row.label);
    profiler.addCategory('label', row.label);
  } else if ('user' in row) {
    profiler.addCategory('user', row.user);
    profiler.addCategory('item', row.item);
    profiler.addNumber('rating', row.rating);
    profiler.addNumber('timestamp', row.timestamp);
  } else {
    for (const [name, value] of Object.entries(row.features)) {
      if (typeof value === 'number') {
        featureTypes.set(name, featureTypes.get(name) === 'string' ? 'string' : 'number');
        profiler.addNumber(name, value);
      } else {
        if (value !== null) featureTypes.set(name, 'string');
        profiler.addCategory(name, value);
      }
    }
    profiler.addLabel(String(row.target));
    profiler.addCategory('target', String(row.target));
  }
  profiler.endRow();
}

function schemaInfo(
  useCase: UseCase,
  featureTypes: Map<string, 'number' | 'string'>,
  image: ImageShape | undefined,
  labels: string[] | undefined,
  implicit: boolean | undefined,
): DatasetSchemaInfo {
  const columns: DatasetSchemaInfo['columns'] =
    useCase === 'image' || useCase === 'generative'
      ? [
          { name: 'pixels', type: 'image', role: 'pixels' },
          { name: 'label', type: 'string', role: 'label' },
        ]
      : useCase === 'nlp'
        ? [
            { name: 'text', type: 'text', role: 'text' },
            { name: 'label', type: 'string', role: 'label' },
          ]
        : useCase === 'recommendation'
          ? [
              { name: 'user', type: 'string', role: 'user' },
              { name: 'item', type: 'string', role: 'item' },
              { name: 'rating', type: 'number', role: 'rating' },
              { name: 'timestamp', type: 'timestamp', role: 'timestamp' },
            ]
          : [
              ...[...featureTypes].map(([name, type]) => ({ name, type, role: 'feature' })),
              { name: 'target', type: 'string' as const, role: 'target' },
            ];
  return {
    useCase,
    columns,
    ...(image ? { image } : {}),
    ...(labels && useCase !== 'recommendation' ? { labels } : {}),
    ...(implicit !== undefined ? { implicit } : {}),
  };
}

/** Tabular: each column's type as used, and the id columns kept beside the features. */
function withColumnTypes(
  schema: DatasetSchemaInfo,
  columnTypes: Record<string, ColumnTypeProposal> | undefined,
): DatasetSchemaInfo {
  if (!columnTypes) return schema;
  const columns: DatasetSchemaInfo['columns'] = schema.columns.map((c) =>
    c.role === 'feature' && columnTypes[c.name]
      ? {
          ...c,
          columnType: columnTypes[c.name]!.used,
          ...(columnTypes[c.name]!.used === 'timestamp' ? { type: 'timestamp' as const } : {}),
        }
      : c,
  );
  const keys = Object.entries(columnTypes)
    .filter(([, t]) => t.used === 'id')
    .map(([name]) => ({ name, type: 'string' as const, role: 'key', columnType: 'id' as const }));
  return { ...schema, columns: [...keys, ...columns] };
}

/** How messages name a source: the user's own path, URL or upload file name. */
function sourceLabel(source: IngestSpec['source']): string {
  switch (source.kind) {
    case 'file':
    case 'image-folder':
      return source.path;
    case 'url':
      return source.url;
    case 'stream':
      return source.name ?? 'the upload';
    case 'postgres':
      return source.connection ? `the query on connection ${source.connection}` : 'the query';
    case 'idx':
      return source.images;
    case 'sample':
      return `the ${source.name} sample`;
  }
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Perturbed columns and quasi-identifiers must exist; a perturbed dataset needs a budget. */
function checkPrivacyColumns(privacy: IngestSpec['privacy'], columns: string[], label: string): void {
  if (privacy === undefined) return;
  const named = [...Object.keys(privacy.columns), ...privacy.quasiIdentifiers];
  const missing = columns.length > 0 ? named.filter((c) => !columns.includes(c)) : [];
  if (missing.length > 0)
    throw new ValidationError(
      `privacy: ${label} has no column ${missing.map((c) => `\`${c}\``).join(', ')} (its columns: ${columns.join(', ')})`,
      { field: 'privacy', missing, columns },
      'privacy_unknown_column',
    );
  for (const [column, p] of Object.entries(privacy.columns))
    if (p.mechanism === 'laplace' && !(p.lower < p.upper))
      throw new ValidationError(
        `privacy.columns.${column}: lower (${p.lower}) must be below upper (${p.upper}); the noise scale is (upper − lower)/ε`,
        { field: `privacy.columns.${column}` },
        'privacy_invalid_bounds',
      );
  if (Object.keys(privacy.columns).length > 0 && privacy.budget === undefined)
    throw new ValidationError(
      'privacy: perturbed columns need the dataset\'s total budget, e.g. "budget": {"epsilon": 10}; each perturbed version spends the sum of its columns\' ε from it',
      { field: 'privacy.budget' },
      'privacy_budget_required',
    );
}
