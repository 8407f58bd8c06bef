/** The evaluate worker: its handler, wired by runStageWorkerProcess (config, checks, shutdown). */
import { runStageWorkerProcess } from '@lathe/queues';
import { evaluateHandler } from './handler.ts';

await runStageWorkerProcess({ name: 'evaluate-worker', stages: ['evaluate'], handlers: { evaluate: evaluateHandler } });
