/**
 * The pipeline the API drives (@lathe/queues' `createPipeline`), injected into `createApp` so
 * the API never constructs queues itself.
 */
export type { Pipeline, DeadLetter, QueueStats } from '@lathe/queues';
