/**
 * The ingest stage: records which dataset version the run uses — one registered from the
 * experiment's (or the run's) `source` by `ingestSource` (content-addressed, so a repeated
 * ingest returns the same version), or else the dataset's latest version (uploaded through the
 * API). Its output names `datasetVersionId`; the runner copies it onto the run.
 */
import { LatheError } from '@lathe/core';
import type { StageContext, StageHandler } from '@lathe/queues';
import { latestDatasetVersion, type DatasetVersion } from '@lathe/registry';

export interface IngestDeps {
  /** Reads `source`, validates it and registers a DatasetVersion (idempotent by sha256). */
  ingestSource?: (ctx: StageContext, source: unknown) => Promise<DatasetVersion>;
}

export function createIngestHandler(deps: IngestDeps = {}): StageHandler<'ingest'> {
  return async (ctx) => {
    const source = ctx.params.source ?? ctx.experiment.source;
    let version: DatasetVersion | null = null;
    if (source !== null && source !== undefined && deps.ingestSource) {
      await ctx.throwIfStopped();
      version = await deps.ingestSource(ctx, source);
    } else {
      version = await latestDatasetVersion(ctx.registry, ctx.experiment.datasetId);
    }
    if (!version) {
      throw new LatheError(
        'no_dataset_version',
        `experiment ${ctx.experiment.name}: dataset ${ctx.experiment.datasetId} has no version and the experiment has no source to ingest; upload data or set a source`,
        {
          permanent: true,
          details: { experimentId: ctx.experiment.id, datasetId: ctx.experiment.datasetId },
        },
      );
    }
    await ctx.reportProgress(1);
    return { datasetVersionId: version.id, sha256: version.sha256, rows: version.rows };
  };
}
