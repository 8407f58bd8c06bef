/**
 * The ingest worker: its handler over @lathe/data and the artifact store, wired by
 * runStageWorkerProcess. It also turns schedule ticks into runs and runs the recovery loop.
 */
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import { runStageWorkerProcess } from '@lathe/queues';
import { createIngestHandler } from './handler.ts';
import { createIngestSource } from './ingest-source.ts';

await runStageWorkerProcess({
  name: 'ingest-worker',
  stages: ['ingest'],
  schedulesAndRecovery: true,
  handlers: () => ({ ingest: createIngestHandler({ ingestSource: createIngestSource({ store: createArtifactStore(artifactStoreConfigFromEnv()) }) }) }),
});
