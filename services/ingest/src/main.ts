/**
 * The ingest worker: its handler over @lathe/data and the artifact store, wired by
 * runStageWorkerProcess. It also turns schedule ticks into runs and runs the recovery loop.
 * Named connections (LATHE_CONNECTION_<NAME>_URL, LATHE_CONNECTIONS_FILE) are read here, once;
 * a bad one stops the worker with one line naming the variable (docs/connections.md).
 */
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import { connectionsFromEnv, piiSaltFromEnv } from '@lathe/data';
import { runStageWorkerProcess, workerEnvSchema } from '@lathe/queues';
import { createIngestHandler } from './handler.ts';
import { createIngestSource } from './ingest-source.ts';

await runStageWorkerProcess({
  name: 'ingest-worker',
  stages: ['ingest'],
  defaultHealthPort: 9101,
  schedulesAndRecovery: true,
  env: process.env,
  config: workerEnvSchema,
  handlers: () => ({
    ingest: createIngestHandler({
      ingestSource: createIngestSource({
        store: createArtifactStore(artifactStoreConfigFromEnv(process.env)),
        connections: connectionsFromEnv(process.env),
        piiSalt: piiSaltFromEnv(process.env),
      }),
    }),
  }),
});
