/**
 * Throughput of 4-stage no-op pipelines: through Lathe (Run row, idempotent stage runner,
 * Postgres bookkeeping per stage) vs a raw BullMQ FlowProducer flow of the same shape
 * (ingest ◄ train ◄ evaluate ◄ deploy, no-op processors), measured in one process against the
 * same Redis. Prints both rates, per round and as medians, and the ratio of the medians
 * (target ≥ 0.8), for two ways of submitting:
 *   - `producers` callers in flight at once (default 32), as an API under load submits: this is
 *     the throughput the target is about;
 *   - one serial caller (each start awaited before the next): this is bound by one start's
 *     latency (Lathe's includes a Postgres round trip before the flow is added, so a run is
 *     never queued without its row), and is printed for comparison.
 *   pnpm exec tsx bench/pipeline-throughput.ts [pipelines=200] [concurrency=8] [rounds=3] [producers=32]
 *
 * Like with like, so the ratio is Lathe's own overhead:
 *   - the raw flows are built by Lathe's `buildRunFlow` (same job ids, attempts, backoff,
 *     removeOnComplete, failParentOnFailure) and consumed by workers with Lathe's worker options
 *     (`stageWorkerOptions`: concurrency, lock, stalled check, backoff strategy), same queue names;
 *   - both sides submit all `pipelines` flows with the same number of callers in flight, each
 *     run being one `FlowProducer.add` (raw) or one `startRun` (Lathe);
 *   - both count a pipeline done when its deploy job's `completed` event arrives (QueueEvents);
 *     for Lathe that is after the run row is `succeeded`, which is checked once afterwards;
 *   - rounds alternate which side runs first (JIT warm-up and a warmer Redis favour the second),
 *     after one full-size warm-up round of each that is not reported (a short one left the raw
 *     side's first round at half its later speed: BullMQ's own code was still being JIT-compiled).
 * Lathe's registry uses the production pool size (createRegistry's default, 10 connections).
 *
 * It also prints the CPU each side spent per pipeline in this process, Postgres and Redis
 * (support/cpu-accounting.ts). Where the three share the machine's cores, as on a 2-core
 * development box, the ratio cannot exceed raw's total CPU per pipeline over Lathe's.
 *
 * A third side, for the same reason, measures Lathe without its registry bookkeeping: the same
 * workers and stage runner, but no Run rows (flows are added as raw adds them) and a stage
 * ledger that answers claims and records finishes in memory. Lathe's ratio against raw, next to
 * this one's, says what the Postgres writes cost and what the rest of Lathe costs.
 *
 * A fourth side is the like-for-like baseline for that bookkeeping: raw BullMQ flows whose
 * processors write the minimal durable record a hand-rolled orchestrator would, one row per run
 * inserted before its flow is added and one status update per stage (same pool size as Lathe's
 * registry). Lathe over it is the cost of what Lathe records beyond that (attempts, outputs,
 * claims that make stages idempotent, cache keys).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  buildRunFlow,
  connectRedis,
  createPipeline,
  resolveJobSpecs,
  stageWorkerOptions,
  startWorkers,
  STAGE_QUEUES,
  type StageHandlers,
  type StageLedger,
} from '../packages/queues/src/index.ts';
import {
  claimStages,
  createExperiment,
  createRegistry,
  createRun,
  ensureDataset,
  registerDatasetVersion,
  STAGES,
  type Experiment,
  type Registry,
  type StageClaim,
} from '../packages/registry/src/index.ts';
import { createTestDatabase, createTestRedis, type TestRedis } from '../test/harness/index.ts';
import { describeCpuPer, withCpuAccounting, type CpuSpent } from './support/cpu-accounting.ts';
import { median } from './support/median.ts';

// bench/ has no dependencies of its own: load the very bullmq that @lathe/queues uses.
const fromQueues = createRequire(new URL('../packages/queues/package.json', import.meta.url));
const { FlowProducer, QueueEvents, Worker } = (await import(
  pathToFileURL(fromQueues.resolve('bullmq')).href
)) as typeof import('../packages/queues/node_modules/bullmq/dist/esm/index.js');
const fromRegistry = createRequire(new URL('../packages/registry/package.json', import.meta.url));
const { default: pg } = (await import(pathToFileURL(fromRegistry.resolve('pg')).href)) as {
  default: typeof import('../packages/registry/node_modules/@types/pg/index.d.ts');
};

const pipelines = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 8);
const rounds = Number(process.argv[4] ?? 3);
const producers = Number(process.argv[5] ?? 32);
const specs = resolveJobSpecs();

/** Resolves when `count` deploy jobs have completed under `prefix`. */
async function deployCompletions(redisUrl: string, prefix: string, count: number) {
  const connection = connectRedis(redisUrl, 'bench-events');
  const events = new QueueEvents(STAGE_QUEUES.deploy, { connection, prefix });
  await events.waitUntilReady();
  const seen = new Set<string>();
  const done = new Promise<void>((resolve) => {
    events.on('completed', ({ jobId }) => {
      seen.add(jobId);
      if (seen.size === count) resolve();
    });
  });
  return {
    done,
    async close() {
      await events.close();
      connection.disconnect();
    },
  };
}

/** Calls `work` `count` times with at most `limit` calls in flight. */
async function inFlight(count: number, limit: number, work: () => Promise<void>): Promise<void> {
  let started = 0;
  const caller = async () => {
    while (started < count) {
      started++;
      await work();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, caller));
}

/**
 * Adds `count` flows as raw BullMQ does (one `FlowProducer.add` each, `callers` in flight) to
 * workers already listening under the prefix; resolves with pipelines/s once every deploy job
 * has completed.
 */
async function rawFlowsPerSecond(redis: TestRedis, count: number, callers: number): Promise<number> {
  const producerConnection = connectRedis(redis.redisUrl, 'bench-producer');
  const producer = new FlowProducer({ connection: producerConnection, prefix: redis.prefix });
  const completions = await deployCompletions(redis.redisUrl, redis.prefix, count);
  try {
    const start = performance.now();
    await inFlight(count, callers, async () => {
      await producer.add(buildRunFlow(randomUUID(), 'ingest', specs));
    });
    await completions.done;
    return count / ((performance.now() - start) / 1000);
  } finally {
    await completions.close();
    await producer.close();
    producerConnection.disconnect();
  }
}

async function rawBullmq(count: number, callers: number): Promise<number> {
  const redis = createTestRedis('bench-raw');
  const connections = STAGES.map(() => connectRedis(redis.redisUrl, 'bench-raw-worker'));
  const workers = STAGES.map(
    (stage, i) =>
      new Worker(
        STAGE_QUEUES[stage],
        async () => ({ ok: true }),
        stageWorkerOptions(specs, stage, { connection: connections[i]!, prefix: redis.prefix, concurrency }),
      ),
  );
  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    return await rawFlowsPerSecond(redis, count, callers);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    for (const c of connections) c.disconnect();
    await redis.cleanup();
  }
}

/**
 * Raw flows with a hand-rolled orchestrator's durable record: the run's row inserted before its
 * flow is added, one status update per stage in the processor (`bench_durable_run`).
 */
async function rawDurable(
  pool: InstanceType<typeof pg.Pool>,
  count: number,
  callers: number,
): Promise<number> {
  const redis = createTestRedis('bench-durable');
  const connections = STAGES.map(() => connectRedis(redis.redisUrl, 'bench-durable-worker'));
  const workers = STAGES.map(
    (stage, i) =>
      new Worker(
        STAGE_QUEUES[stage],
        async (job) => {
          const status = stage === STAGES[STAGES.length - 1] ? 'succeeded' : 'running';
          await pool.query(
            'UPDATE bench_durable_run SET stage = $2, status = $3, updated_at = now() WHERE id = $1',
            [(job.data as { runId: string }).runId, stage, status],
          );
          return { ok: true };
        },
        stageWorkerOptions(specs, stage, { connection: connections[i]!, prefix: redis.prefix, concurrency }),
      ),
  );
  const producerConnection = connectRedis(redis.redisUrl, 'bench-durable-producer');
  const producer = new FlowProducer({ connection: producerConnection, prefix: redis.prefix });
  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    const completions = await deployCompletions(redis.redisUrl, redis.prefix, count);
    try {
      const start = performance.now();
      await inFlight(count, callers, async () => {
        const runId = randomUUID();
        await pool.query("INSERT INTO bench_durable_run (id, status) VALUES ($1, 'queued')", [runId]);
        await producer.add(buildRunFlow(runId, 'ingest', specs));
      });
      await completions.done;
      return count / ((performance.now() - start) / 1000);
    } finally {
      await completions.close();
    }
  } finally {
    await producer.close();
    producerConnection.disconnect();
    await Promise.all(workers.map((w) => w.close()));
    for (const c of connections) c.disconnect();
    await redis.cleanup();
  }
}

async function lathe(
  registry: Registry,
  experimentId: string,
  handlers: Required<StageHandlers>,
  count: number,
  callers: number,
): Promise<number> {
  const redis = createTestRedis('bench');
  const pipeline = createPipeline({ registry, connection: redis.redisUrl, prefix: redis.prefix });
  const workers = await startWorkers({ pipeline, stages: [...STAGES], handlers, concurrency });
  const completions = await deployCompletions(redis.redisUrl, redis.prefix, count);
  try {
    const ids: string[] = [];
    const start = performance.now();
    await inFlight(count, callers, async () => {
      ids.push((await pipeline.startRun({ experimentId })).id);
    });
    await completions.done;
    const rate = count / ((performance.now() - start) / 1000);
    const succeeded = await registry.run.count({ where: { id: { in: ids }, status: 'succeeded' } });
    if (succeeded !== count) throw new Error(`only ${succeeded} of ${count} bench runs succeeded`);
    return rate;
  } finally {
    await completions.close();
    await workers.close();
    await pipeline.close();
    await redis.cleanup();
  }
}

/** Claims and finishes without Postgres: each run's done outputs kept in a Map (bench only). */
function memoryLedger(template: StageClaim, experiment: Experiment): StageLedger {
  const outputs = new Map<string, StageClaim['doneOutputs']>();
  return {
    async claim(runId) {
      return {
        ...template,
        run: { ...template.run, id: runId },
        doneOutputs: { ...(outputs.get(runId) ?? {}) },
      };
    },
    async finish(item) {
      const done = outputs.get(item.runId) ?? {};
      done[item.stage] = item.output;
      // The last stage ends the run: forget it (memory stays flat over a round).
      if (item.stage === STAGES[STAGES.length - 1]) outputs.delete(item.runId);
      else outputs.set(item.runId, done);
    },
    async experiment() {
      return experiment;
    },
    async datasetSha256() {
      return 'b'.repeat(64);
    },
  };
}

async function latheWithoutRegistry(
  ledger: StageLedger,
  handlers: Required<StageHandlers>,
  count: number,
  callers: number,
): Promise<number> {
  const redis = createTestRedis('bench-noreg');
  const pipeline = createPipeline({ registry, connection: redis.redisUrl, prefix: redis.prefix });
  const workers = await startWorkers({ pipeline, stages: [...STAGES], handlers, concurrency, ledger });
  try {
    return await rawFlowsPerSecond(redis, count, callers);
  } finally {
    await workers.close();
    await pipeline.close();
    await redis.cleanup();
  }
}

const noCpu = (): CpuSpent => ({ nodeMs: 0, postgresMs: 0, redisMs: 0 });
function addCpu(total: CpuSpent, cpu: CpuSpent) {
  total.nodeMs += cpu.nodeMs;
  total.postgresMs += cpu.postgresMs;
  total.redisMs += cpu.redisMs;
}

const db = await createTestDatabase('bench');
// The production pool (createRegistry's default), not the test harness's small one.
const registry = createRegistry({ databaseUrl: db.databaseUrl, schema: db.schema });
try {
  const dataset = await ensureDataset(registry, { name: 'bench', useCase: 'tabular' });
  const { version } = await registerDatasetVersion(registry, {
    datasetId: dataset.id,
    sha256: 'b'.repeat(64),
    uri: 'memory://bench',
    format: 'csv',
    rows: 1,
    sizeBytes: 1,
    schema: {},
    source: {},
  });
  const experiment = await createExperiment(registry, {
    name: 'bench',
    useCase: 'tabular',
    modelFamily: 'noop',
    hyperparameters: {},
    datasetId: dataset.id,
    gate: [],
    rolloutPolicy: {},
    cacheEnabled: false,
  });
  // Constant outputs that pass each stage's schema: the bench measures orchestration, so no
  // stage writes rows of its own.
  const noModel = randomUUID();
  const handlers: Required<StageHandlers> = {
    ingest: async () => ({ datasetVersionId: version.id, sha256: version.sha256, rows: version.rows }),
    train: async () => ({
      modelVersionId: noModel,
      version: 1,
      sha256: version.sha256,
      epochs: 0,
      stoppedEarly: false,
      resumedFromEpoch: null,
      backend: 'none',
    }),
    evaluate: async () => ({
      evaluationId: randomUUID(),
      modelVersionId: noModel,
      verdict: 'passed',
      reasons: [],
    }),
    deploy: async () => ({
      strategy: 'none',
      modelVersionId: noModel,
      deploymentId: null,
      abTestId: null,
      reason: 'benchmark: nothing deployed',
      plan: null,
    }),
  };

  const ours = (callers: number) => lathe(registry, experiment.id, handlers, pipelines, callers);
  // The in-memory ledger's claim: what a real claim of a queued run returns.
  const { run: templateRun } = await createRun(registry, { experimentId: experiment.id });
  const [template] = await claimStages(registry, [{ runId: templateRun.id, stage: 'ingest' }]);
  const ledger = memoryLedger(template!, experiment);
  const unbooked = (callers: number) => latheWithoutRegistry(ledger, handlers, pipelines, callers);
  // The durable baseline's table, in the bench's schema, on a pool as large as the registry's.
  const pool = new pg.Pool({
    connectionString: db.databaseUrl,
    max: 10,
    options: `-c search_path="${db.schema}"`,
  });
  await pool.query(
    'CREATE TABLE bench_durable_run (id uuid PRIMARY KEY, stage text, status text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())',
  );
  const durable = (callers: number) => rawDurable(pool, pipelines, callers);
  await rawBullmq(pipelines, producers);
  await durable(producers);
  await ours(producers);
  await unbooked(producers);

  console.log(
    `pipelines: ${pipelines} per round, concurrency per stage: ${concurrency} (both sides), rounds: ${rounds}`,
  );
  for (const callers of [producers, 1]) {
    const raws: number[] = [];
    const durables: number[] = [];
    const lathes: number[] = [];
    const unbookeds: number[] = [];
    const rawCpu = noCpu();
    const durableCpu = noCpu();
    const latheCpu = noCpu();
    const unbookedCpu = noCpu();
    const measured = async (rates: number[], total: CpuSpent, work: () => Promise<number>) => {
      const { result, cpu } = await withCpuAccounting(work);
      rates.push(result);
      addCpu(total, cpu);
    };
    console.log(`-- ${callers === 1 ? 'one serial caller' : `${callers} callers in flight`}`);
    for (let round = 0; round < rounds; round++) {
      const rawFirst = round % 2 === 0;
      if (rawFirst) await measured(raws, rawCpu, () => rawBullmq(pipelines, callers));
      if (rawFirst) await measured(durables, durableCpu, () => durable(callers));
      await measured(lathes, latheCpu, () => ours(callers));
      await measured(unbookeds, unbookedCpu, () => unbooked(callers));
      if (!rawFirst) await measured(durables, durableCpu, () => durable(callers));
      if (!rawFirst) await measured(raws, rawCpu, () => rawBullmq(pipelines, callers));
      console.log(
        `round ${round + 1}: raw ${raws.at(-1)!.toFixed(1)}/s, raw + durable writes ${durables.at(-1)!.toFixed(1)}/s, Lathe ${lathes.at(-1)!.toFixed(1)}/s, ratio ${(lathes.at(-1)! / raws.at(-1)!).toFixed(3)}, vs durable ${(lathes.at(-1)! / durables.at(-1)!).toFixed(3)}; without registry writes ${unbookeds.at(-1)!.toFixed(1)}/s`,
      );
    }
    console.log(
      `raw BullMQ flows:  ${median(raws).toFixed(1)} pipelines/s (median), CPU per pipeline: ${describeCpuPer(rawCpu, pipelines * rounds)}`,
    );
    console.log(
      `raw + durable writes (1 row per run, 1 status update per stage): ${median(durables).toFixed(1)} pipelines/s (median), CPU per pipeline: ${describeCpuPer(durableCpu, pipelines * rounds)}`,
    );
    console.log(
      `Lathe pipelines:   ${median(lathes).toFixed(1)} pipelines/s (median), CPU per pipeline: ${describeCpuPer(latheCpu, pipelines * rounds)}`,
    );
    console.log(
      `ratio Lathe/raw+durable writes: ${(median(lathes) / median(durables)).toFixed(3)} (like with like)`,
    );
    console.log(
      `ratio Lathe/raw:   ${(median(lathes) / median(raws)).toFixed(3)}${callers === 1 ? ' (latency-bound, for comparison)' : ' (target ≥ 0.8)'}`,
    );
    console.log(
      `Lathe without registry writes (in-memory ledger, no Run rows): ${median(unbookeds).toFixed(1)} pipelines/s (median), ratio ${(median(unbookeds) / median(raws)).toFixed(3)}, CPU per pipeline: ${describeCpuPer(unbookedCpu, pipelines * rounds)}`,
    );
  }
  await pool.end();
} finally {
  await registry.$disconnect();
  await db.drop();
}
process.exit(0);
