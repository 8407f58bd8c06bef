/**
 * Throughput of 4-stage no-op pipelines: through Lathe (Run row, idempotent stage runner,
 * Postgres bookkeeping per stage) vs a raw BullMQ FlowProducer flow of the same shape
 * (ingest ◄ train ◄ evaluate ◄ deploy, no-op processors), measured in one process, same Redis,
 * same concurrency. Prints both rates and their ratio (target ≥ 0.8).
 *   pnpm exec tsx bench/pipeline-throughput.ts [pipelines=200] [concurrency=8]
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createPipeline, startWorkers, type StageHandler } from '../packages/queues/src/index.ts';
import { createExperiment, ensureDataset, registerDatasetVersion, STAGES } from '../packages/registry/src/index.ts';
import { createTestDatabase, createTestRedis } from '../test/harness/index.ts';

// bench/ has no dependencies of its own: load the very bullmq/ioredis that @lathe/queues uses.
const fromQueues = createRequire(new URL('../packages/queues/package.json', import.meta.url));
const { FlowProducer, QueueEvents, Worker } = (await import(pathToFileURL(fromQueues.resolve('bullmq')).href)) as typeof import('bullmq');
const { Redis } = (await import(pathToFileURL(fromQueues.resolve('ioredis')).href)) as typeof import('ioredis');
type FlowJob = import('bullmq').FlowJob;

const pipelines = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 8);

async function rawBullmq(redisUrl: string, prefix: string): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workers = STAGES.map((stage) => new Worker(`raw-${stage}`, async () => ({ ok: true }), { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency }));
  const events = new QueueEvents('raw-deploy', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
  await Promise.all([...workers.map((w) => w.waitUntilReady()), events.waitUntilReady()]);
  const producer = new FlowProducer({ connection, prefix });
  let done = 0;
  const finished = new Promise<void>((resolve) => events.on('completed', () => ++done === pipelines && resolve()));
  const start = performance.now();
  for (let i = 0; i < pipelines; i++) {
    let node: FlowJob | undefined;
    for (const stage of STAGES) {
      node = { name: stage, queueName: `raw-${stage}`, data: { runId: `r${i}` }, opts: { jobId: `raw-${i}-${stage}`, attempts: 3, ...(node ? {} : {}) }, ...(node ? { children: [{ ...node, opts: { ...node.opts, failParentOnFailure: true } }] } : {}) };
    }
    await producer.add(node!);
  }
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await producer.close();
  await events.close();
  await Promise.all(workers.map((w) => w.close()));
  connection.disconnect();
  return pipelines / seconds;
}

async function lathe(): Promise<number> {
  const db = await createTestDatabase('bench');
  const redis = createTestRedis('bench');
  const pipeline = createPipeline({ registry: db.registry, connection: redis.redisUrl, prefix: redis.prefix });
  try {
    const dataset = await ensureDataset(db.registry, { name: 'bench', useCase: 'tabular' });
    const { version } = await registerDatasetVersion(db.registry, { datasetId: dataset.id, sha256: 'b'.repeat(64), uri: 'memory://bench', format: 'csv', rows: 1, sizeBytes: 1, schema: {}, source: {} });
    const experiment = await createExperiment(db.registry, { name: 'bench', useCase: 'tabular', modelFamily: 'noop', hyperparameters: {}, datasetId: dataset.id, gate: [], rolloutPolicy: {}, cacheEnabled: false });
    const noop: StageHandler = async () => ({ ok: true });
    const handlers = { ingest: async () => ({ datasetVersionId: version.id }), train: noop, evaluate: noop, deploy: noop };
    const workers = await startWorkers({ pipeline, stages: [...STAGES], handlers, concurrency });
    const start = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < pipelines; i++) ids.push((await pipeline.startRun({ experimentId: experiment.id })).id);
    for (;;) {
      const finished = await db.registry.run.count({ where: { status: { in: ['succeeded', 'failed'] } } });
      if (finished >= pipelines) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - start) / 1000;
    const failed = await db.registry.run.count({ where: { status: 'failed' } });
    if (failed > 0) throw new Error(`${failed} bench runs failed`);
    await workers.close();
    return pipelines / seconds;
  } finally {
    await pipeline.close();
    await redis.cleanup();
    await db.drop();
  }
}

const rawRedis = createTestRedis('bench-raw');
const raw = await rawBullmq(rawRedis.redisUrl, rawRedis.prefix);
await rawRedis.cleanup();
const ours = await lathe();
console.log(`pipelines: ${pipelines}, concurrency per stage: ${concurrency}`);
console.log(`raw BullMQ flows:  ${raw.toFixed(1)} pipelines/s`);
console.log(`Lathe pipelines:   ${ours.toFixed(1)} pipelines/s`);
console.log(`ratio Lathe/raw:   ${(ours / raw).toFixed(3)} (target ≥ 0.8)`);
process.exit(0);
