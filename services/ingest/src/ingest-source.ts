/**
 * Ingests an experiment's source into a dataset version: read, validate, mask PII, profile and
 * split with @lathe/data (content and split indices land in the artifact store), then register
 * the version. Identical content gives the same sha256, so re-ingesting returns the existing
 * version; new content records its parent and the drift against it.
 */
import type { ArtifactStore } from '@lathe/artifacts';
import { computeDrift, ingestToArtifacts } from '@lathe/data';
import type { StageContext } from '@lathe/queues';
import { getDatasetVersion, latestDatasetVersion, registerDatasetVersion, type DatasetVersion, type Json } from '@lathe/registry';
import { toIngestSpec } from './stored-ingest-spec.ts';

const json = (value: unknown): Json => JSON.parse(JSON.stringify(value ?? null)) as Json;

export function createIngestSource(deps: { store: ArtifactStore }) {
  return async (ctx: StageContext, stored: unknown): Promise<DatasetVersion> => {
    const spec = toIngestSpec(ctx.experiment.useCase, stored);
    const controller = new AbortController();
    const result = await ingestToArtifacts(spec, {
      store: deps.store,
      signal: controller.signal,
      onProgress: (rows) => {
        ctx.logger.debug({ rows }, 'ingest progress');
        void ctx.shouldStop().then((stop) => stop && controller.abort());
      },
    });
    const previous = await latestDatasetVersion(ctx.registry, ctx.experiment.datasetId);
    const drift = previous && previous.sha256 !== result.sha256 && previous.profile ? computeDrift(previous.profile, result.profile) : null;
    const { version, created } = await registerDatasetVersion(ctx.registry, {
      datasetId: ctx.experiment.datasetId,
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
      source: json({ ...spec, droppedRows: result.droppedRows, runId: ctx.runId }),
    });
    ctx.logger.info({ datasetVersionId: version.id, created, rows: result.rows, droppedRows: result.droppedRows }, 'dataset version');
    return created ? version : getDatasetVersion(ctx.registry, version.id);
  };
}
