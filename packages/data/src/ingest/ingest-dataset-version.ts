/**
 * Ingest and register, in one step, for both entry points (the ingest stage and the API's
 * upload route): content and split go to the artifact store, the version to the registry.
 * Identical content returns the existing version (its sha256 is its identity); new content
 * records its parent and the drift of every column against it.
 */
import type { ArtifactStore } from '@lathe/artifacts';
import { redactSecrets } from '@lathe/core';
import {
  checkPrivacySpend,
  latestDatasetVersion,
  privacyBudgetOf,
  registerDatasetVersion,
  type PrivacySpend,
  type DatasetVersion,
  type Json,
  type Registry,
} from '@lathe/registry';
import { computeDrift } from '../drift/compute-drift.ts';
import { type IngestSpec, type IngestSpecInput, ingestSpecSchema } from '@lathe/contract';
import { perturbationEpsilon, perturbationReport } from '../privacy/perturb-records.ts';
import { type IngestDeps, type IngestResult, ingestSpecToArtifacts } from './ingest-to-artifacts.ts';

const json = (value: unknown): Json => JSON.parse(JSON.stringify(value ?? null)) as Json;

export type DatasetIngestDeps = { registry: Registry; store: ArtifactStore } & Omit<IngestDeps, 'store'>;

export interface DatasetIngest<Spec> {
  /**
   * The dataset, or a function that finds or creates it: called only once the content is
   * stored, so a refused file registers nothing, not even an empty dataset.
   */
  datasetId: string | (() => Promise<string>);
  spec: Spec;
  provenance?: Record<string, unknown>;
}

export interface DatasetIngestResult {
  version: DatasetVersion;
  created: boolean;
  result: IngestResult;
}

/** Ingests and registers a spec given as written (the upload route's, a library caller's): parsed here, once. */
export async function ingestDatasetVersion(
  deps: DatasetIngestDeps,
  input: DatasetIngest<IngestSpecInput>,
): Promise<DatasetIngestResult> {
  return ingestParsedDatasetVersion(deps, { ...input, spec: ingestSpecSchema.parse(input.spec) });
}

/** Ingests and registers a spec its caller already parsed (the ingest stage's stored source). */
export async function ingestParsedDatasetVersion(
  deps: DatasetIngestDeps,
  input: DatasetIngest<IngestSpec>,
): Promise<DatasetIngestResult> {
  const { registry: _registry, ...ingestDeps } = deps;
  const privacySpend = privacySpendOf(input.spec);
  // An ingest the budget cannot take reads nothing; the registering transaction checks again.
  if (privacySpend && typeof input.datasetId === 'string')
    checkPrivacySpend(await privacyBudgetOf(deps.registry, input.datasetId), privacySpend, input.datasetId);
  const result = await ingestSpecToArtifacts(input.spec, ingestDeps);
  const datasetId = typeof input.datasetId === 'string' ? input.datasetId : await input.datasetId();
  const previous = await latestDatasetVersion(deps.registry, datasetId);
  const drift =
    previous && previous.sha256 !== result.sha256 && previous.profile
      ? computeDrift(previous.profile, result.profile)
      : null;
  const { stream: _stream, ...storableSource } = input.spec.source as Record<string, unknown>;
  const { version, created } = await registerDatasetVersion(deps.registry, {
    datasetId,
    sha256: result.sha256,
    uri: result.contentUri,
    format: result.format,
    rows: result.rows,
    sizeBytes: result.sizeBytes,
    schema: json(result.schema),
    profile: json(result.profile),
    split: json(result.split),
    privacy: json(result.privacy),
    ...(drift ? { drift: json({ againstVersionId: previous!.id, ...drift }) } : {}),
    ...(privacySpend ? { privacySpend } : {}),
    // What the version came from, never with a secret: a named connection is stored by name; a
    // library caller's URL with credentials or an inline connection string loses them here.
    source: json(
      redactSecrets({
        ...storableSource,
        ...result.source,
        ...input.provenance,
        droppedRows: result.droppedRows,
      }),
    ),
  });
  return { version, created, result };
}

/** What a perturbed ingest spends: ε per record over its perturbed columns, with the declared budget. */
function privacySpendOf(spec: IngestSpec): PrivacySpend | null {
  const privacy = spec.privacy;
  const report = perturbationReport(privacy);
  if (report === null || privacy?.budget === undefined) return null;
  return {
    kind: 'perturbed_version',
    epsilon: perturbationEpsilon(privacy),
    budget: privacy.budget.epsilon,
    detail: json(report),
  };
}
