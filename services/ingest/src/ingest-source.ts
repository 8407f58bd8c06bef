/**
 * Ingests an experiment's (or a run's) source into a dataset version with @lathe/data; a
 * cancel requested while reading aborts the ingest (nothing is stored). A Postgres source names
 * a connection: its URL comes from `connections`, read from the worker's environment once at
 * start (main.ts), never from the registry.
 */
import type { ArtifactStore } from '@lathe/artifacts';
import {
  ingestParsedDatasetVersion,
  NO_CONNECTIONS,
  toIngestSpec,
  type SourceConnections,
} from '@lathe/data';
import type { StageContext } from '@lathe/queues';
import type { DatasetVersion } from '@lathe/registry';

export function createIngestSource(deps: {
  store: ArtifactStore;
  connections?: SourceConnections;
  /** The workers' LATHE_PII_SALT: required by specs that hash a PII column. */
  piiSalt?: string | undefined;
}) {
  const connections = deps.connections ?? NO_CONNECTIONS;
  return async (ctx: StageContext, stored: unknown): Promise<DatasetVersion> => {
    const controller = new AbortController();
    const { version, created, result } = await ingestParsedDatasetVersion(
      {
        registry: ctx.registry,
        store: deps.store,
        connections,
        ...(deps.piiSalt !== undefined ? { piiSalt: deps.piiSalt } : {}),
        // The attempt's own signal (an announced cancel, a timeout) or a cancel the poll found.
        signal: AbortSignal.any([ctx.signal, controller.signal]),
        onProgress: (rows) => {
          ctx.logger.debug({ rows }, 'ingest progress');
          void ctx.shouldStop().then((stop) => stop && controller.abort());
        },
      },
      {
        datasetId: ctx.experiment.datasetId,
        spec: toIngestSpec(ctx.experiment.useCase, stored),
        provenance: { runId: ctx.runId },
      },
    );
    ctx.logger.info(
      { datasetVersionId: version.id, created, rows: result.rows, droppedRows: result.droppedRows },
      'dataset version',
    );
    return version;
  };
}
