/**
 * The whole life of a stage worker process, so each service's main.ts is only its wiring:
 * config → tracing → reachability checks → registry, pipeline → workers (+ health) → graceful
 * shutdown.
 * A start-up failure ends the process with one line (see `runMain`).
 */
import {
  type Closer,
  type Logger,
  createLogger,
  createMetricsRegistry,
  loadConfig,
  onShutdown,
  runMain,
  startTracing,
  tracingConfigFromEnv,
} from '@lathe/core';
import type { Worker } from 'bullmq';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { z } from 'zod';
import { type Registry, type Stage, assertDatabaseReachable, createRegistry } from '@lathe/registry';
import { serveHealth } from './health-server.ts';
import { type Pipeline, createPipeline } from './pipeline.ts';
import { startRecoveryLoop } from './recovery-loop.ts';
import { assertRedisReachable } from './redis-reachable.ts';
import type { StageHandlers } from './stage-handler.ts';
import type { WorkerConfig } from './worker-config.ts';
import { startWorkers, type WorkerGroup } from './workers.ts';
import { JOB_CATALOG } from './catalog.ts';

export interface StageWorkerProcessOptions<C extends WorkerConfig = WorkerConfig> {
  /** Process name for logs and metrics, e.g. `train-worker`. */
  name: string;
  stages: Stage[];
  /** The process's environment (main.ts passes `process.env`): parsed once, here, with `config`. */
  env: NodeJS.ProcessEnv;
  /** The worker's variables: `workerEnvSchema`, or an extension of it with the stage's own. */
  config: z.ZodType<C>;
  /**
   * The handlers, or a factory given the parsed configuration, run after the configuration
   * checks (so its own config errors are reported the same way).
   */
  handlers: StageHandlers | ((config: C) => StageHandlers);
  /** Port of /healthz and /metrics unless LATHE_HEALTH_PORT says otherwise (one per role, so a
   * machine running every worker, as the demo does, needs no configuration). */
  defaultHealthPort: number;
  /** Also turn schedule ticks into runs and run the recovery loop (one service does). */
  schedulesAndRecovery?: boolean;
  /**
   * More things to start once connected; their closers run first on shutdown. One that carries
   * a BullMQ `worker` (the scoring worker) counts in /healthz like the stage workers.
   */
  extras?: (deps: {
    config: C;
    registry: Registry;
    pipeline: Pipeline;
    logger: Logger;
    /** The process's metrics registry (served at /metrics). */
    metrics: MetricsRegistry;
  }) => WorkerExtra[] | Promise<WorkerExtra[]>;
}

/** What an extra may carry to count in /healthz: its BullMQ worker and a Redis ping. */
export type WorkerExtra = Closer & { worker?: Worker; ping?: () => Promise<boolean> };

/** The stage workers' health and that of the extras' workers (started later, read per request). */
function combinedHealth(group: WorkerGroup, extras: WorkerExtra[]): Pick<WorkerGroup, 'health'> {
  return {
    async health() {
      const health = await group.health();
      const extra = extras.flatMap(({ worker: w }) =>
        w ? [{ queue: w.name, running: w.isRunning(), paused: w.isPaused() }] : [],
      );
      // A process without stage workers (the scoring one) asks Redis through its extra's connection.
      const ping = extras.find((e) => e.ping)?.ping;
      const redis = group.workers.length > 0 || !ping ? health.redis : await ping().catch(() => false);
      const workers = [...health.workers, ...extra];
      return { ok: redis && workers.every((w) => w.running), workers, redis };
    },
  };
}

export async function runStageWorkerProcess<C extends WorkerConfig>(
  options: StageWorkerProcessOptions<C>,
): Promise<void> {
  await runMain(options.name, async () => {
    const config = loadConfig(options.config, options.env);
    const logger = createLogger(options.name, config.LATHE_LOG_LEVEL);
    // First, so that the spans of everything after it are recorded (a no-op without an endpoint).
    const tracing = await startTracing(tracingConfigFromEnv(config, options.name), logger);
    await assertDatabaseReachable(config.DATABASE_URL);
    await assertRedisReachable(config.REDIS_URL);
    const registry = createRegistry({
      databaseUrl: config.DATABASE_URL,
      maxConnections: registryPoolSize(options.stages, config.LATHE_WORKER_CONCURRENCY),
    });
    const lockOverrides = config.LATHE_LOCK_DURATION_MS
      ? Object.fromEntries(
          options.stages.map((stage) => [stage, { lockDurationMs: config.LATHE_LOCK_DURATION_MS }]),
        )
      : undefined;
    const pipeline = createPipeline({
      registry,
      connection: config.REDIS_URL,
      prefix: config.LATHE_QUEUE_PREFIX,
      logger,
      codeVersion: config.LATHE_CODE_VERSION,
      ...(lockOverrides ? { jobs: lockOverrides } : {}),
    });
    const metrics = createMetricsRegistry(options.name);
    const workers = await startWorkers({
      pipeline,
      stages: options.stages,
      handlers: typeof options.handlers === 'function' ? options.handlers(config) : options.handlers,
      schedules: options.schedulesAndRecovery ?? false,
      ...(config.LATHE_WORKER_CONCURRENCY ? { concurrency: config.LATHE_WORKER_CONCURRENCY } : {}),
      metricsRegistry: metrics,
      logger,
    });
    const recovery = options.schedulesAndRecovery ? startRecoveryLoop(pipeline) : null;
    const started: WorkerExtra[] = [];
    const healthPort = config.LATHE_HEALTH_PORT ?? options.defaultHealthPort;
    const health =
      healthPort > 0
        ? await serveHealth(combinedHealth(workers, started), {
            port: healthPort,
            metrics: [metrics, pipeline.metricsRegistry],
          })
        : null;
    const extras = (await options.extras?.({ config, registry, pipeline, logger, metrics })) ?? [];
    started.push(...extras);
    logger.info({ stages: options.stages }, 'worker started');
    onShutdown(
      [
        ...extras,
        { name: 'recovery', close: async () => recovery?.stop() },
        ...(health ? [health] : []),
        { name: 'workers', close: () => workers.close() },
        { name: 'pipeline', close: () => pipeline.close() },
        { name: 'registry', close: () => registry.$disconnect() },
        // Last: the spans of the attempts that the closers above let finish are sent too.
        tracing,
      ],
      logger,
    );
  });
}

/**
 * Prisma's connections for a worker process (the runner's grouped statements have the registry's
 * own hot-path pool, see client.ts): each running handler may hold one for its own queries, one
 * per concurrent job plus two to spare, at least pg's usual 10, at most 50 (Postgres'
 * max_connections is shared by every process).
 */
export function registryPoolSize(stages: Stage[], concurrency?: number): number {
  const jobs = stages.reduce((sum, stage) => sum + (concurrency ?? JOB_CATALOG[stage].concurrency), 0);
  return Math.min(50, Math.max(10, jobs + 2));
}
