/**
 * One worker process of bench/scale-out.ts: the stages named in argv[2] (comma-separated) on the
 * bench's schema and Redis prefix, with no-op handlers, except `train` when argv[3] is `train`
 * (the real train handler over the local artifact store). Prints `ready` once consuming.
 * Env: DATABASE_URL (with ?schema=), REDIS_URL, LATHE_QUEUE_PREFIX, LATHE_ARTIFACT_DIR,
 * BENCH_DATASET_VERSION_ID, BENCH_DATASET_SHA256, BENCH_DATASET_ROWS.
 */
import { randomUUID } from 'node:crypto';
import { LocalArtifactStore } from '../../packages/artifacts/src/index.ts';
import { createDatasetAccess } from '../../packages/data/src/index.ts';
import { createPipeline, startWorkers, type StageHandlers } from '../../packages/queues/src/index.ts';
import { createRegistry, type Stage } from '../../packages/registry/src/index.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';

const stages = process.argv[2]!.split(',') as Stage[];
const realTraining = process.argv[3] === 'train';
const env = process.env;
const dataset = {
  datasetVersionId: env.BENCH_DATASET_VERSION_ID!,
  sha256: env.BENCH_DATASET_SHA256!,
  rows: Number(env.BENCH_DATASET_ROWS),
};
const noModel = randomUUID();
// Constant outputs that pass each stage's schema: no stage writes rows of its own.
const noop: Required<StageHandlers> = {
  ingest: async () => dataset,
  train: async () => ({
    modelVersionId: noModel,
    version: 1,
    sha256: dataset.sha256,
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
const store = new LocalArtifactStore(env.LATHE_ARTIFACT_DIR!);
const handlers: StageHandlers = {
  ...noop,
  ...(realTraining ? { train: createTrainHandler({ store, datasets: createDatasetAccess(store) }) } : {}),
};
const registry = createRegistry({ databaseUrl: env.DATABASE_URL! });
const pipeline = createPipeline({
  registry,
  connection: env.REDIS_URL!,
  prefix: env.LATHE_QUEUE_PREFIX!,
  codeVersion: 'bench',
});
await startWorkers({ pipeline, stages, handlers, ...(realTraining ? {} : { concurrency: 8 }) });
process.stdout.write('ready\n');
