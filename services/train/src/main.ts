/** The train worker: its handler, wired by runStageWorkerProcess (config, checks, shutdown). */
import { runStageWorkerProcess } from '@lathe/queues';
import { trainHandler } from './handler.ts';

await runStageWorkerProcess({ name: 'train-worker', stages: ['train'], handlers: { train: trainHandler } });
