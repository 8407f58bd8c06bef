/**
 * The ingest worker: its handler, wired by runStageWorkerProcess (config, checks, shutdown).
 * It also turns schedule ticks into runs and runs the recovery loop.
 */
import { runStageWorkerProcess } from '@lathe/queues';
import { ingestHandler } from './handler.ts';

await runStageWorkerProcess({ name: 'ingest-worker', stages: ['ingest'], handlers: { ingest: ingestHandler }, schedulesAndRecovery: true });
