/**
 * Live progress: BullMQ queue events (a stage became active, reported progress, completed,
 * failed) turned into run progress events an API can stream as server-sent events. Each event
 * carries the run's status and progress as Postgres has them, so a client never sees Redis state
 * that the registry does not confirm.
 */
import { QueueEvents } from 'bullmq';
import type { Logger } from '@lathe/core';
import { STAGES, type Registry, type RunStatus, type Stage } from '@lathe/registry';
import { STAGE_QUEUES } from './catalog.ts';
import type { RedisConnectionInput } from './connection.ts';
import { connectRedis } from './connection.ts';
import { parseStageJobId } from './job-ids.ts';

export interface RunProgressEvent {
  runId: string;
  stage: Stage;
  /** What happened to the stage's job. */
  event: 'active' | 'progress' | 'completed' | 'failed' | 'retrying';
  /** The run's status and overall progress (0..1) as recorded in Postgres. */
  status: RunStatus;
  progress: number;
  stageProgress: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  at: string;
}

export interface RunProgressStream extends AsyncIterable<RunProgressEvent> {
  /** Resolves when every queue's event stream is listening (events before that are missed). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function createRunProgressStream(options: {
  registry: Registry;
  connection: RedisConnectionInput;
  prefix: string;
  logger: Logger;
  runId?: string;
}): RunProgressStream {
  const buffer: RunProgressEvent[] = [];
  const waiters: Array<(result: IteratorResult<RunProgressEvent>) => void> = [];
  let closed = false;
  let chain = Promise.resolve();

  const push = (event: RunProgressEvent) => {
    const waiter = waiters.shift();
    if (waiter) waiter({ value: event, done: false });
    else buffer.push(event);
  };

  const listeners = STAGES.map((stage) => {
    const connection = connectRedis(options.connection, `lathe-progress-${stage}`);
    const events = new QueueEvents(STAGE_QUEUES[stage], {
      connection,
      prefix: options.prefix,
      autorun: true,
    });
    const handle = (kind: RunProgressEvent['event'], jobId: string, data?: unknown) => {
      const parsed = parseStageJobId(jobId);
      if (!parsed || (options.runId && parsed.runId !== options.runId)) return;
      // Serialise lookups so events keep their order.
      chain = chain
        .then(async () => {
          if (closed) return;
          const run = await options.registry.run.findUnique({ where: { id: parsed.runId } });
          if (!run) return;
          const stageProgress =
            data && typeof data === 'object' && 'stageProgress' in data
              ? Number((data as { stageProgress: unknown }).stageProgress)
              : null;
          push({
            runId: run.id,
            stage: parsed.stage,
            event: kind,
            status: run.status,
            progress: run.progress,
            stageProgress,
            errorCode: run.errorCode,
            errorMessage: run.errorMessage,
            at: new Date().toISOString(),
          });
        })
        .catch((error: unknown) => options.logger.warn({ err: error }, 'progress event lookup failed'));
    };
    events.on('active', ({ jobId }) => handle('active', jobId));
    events.on('progress', ({ jobId, data }) => handle('progress', jobId, data));
    events.on('completed', ({ jobId }) => handle('completed', jobId));
    events.on('failed', ({ jobId }) => handle('failed', jobId));
    events.on('delayed', ({ jobId }) => handle('retrying', jobId));
    return { events, connection };
  });

  const ready = Promise.all(listeners.map((l) => l.events.waitUntilReady())).then(() => undefined);

  return {
    ready,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(listeners.map((l) => l.events.close()));
      for (const l of listeners) l.connection.disconnect();
      for (const waiter of waiters.splice(0)) waiter({ value: undefined, done: true });
    },
    [Symbol.asyncIterator](): AsyncIterator<RunProgressEvent> {
      return {
        next: () => {
          const event = buffer.shift();
          if (event) return Promise.resolve({ value: event, done: false });
          if (closed) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => waiters.push(resolve));
        },
        return: async () => {
          await this.close();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
