/** The train worker: its handler over the artifact store and dataset reader, wired by runStageWorkerProcess. */
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess } from '@lathe/data';
import { lockfileSha256 } from '@lathe/ml';
import { runStageWorkerProcess } from '@lathe/queues';
import { trainEnvSchema } from './config.ts';
import { createTrainHandler } from './handler.ts';

const lockfile = await lockfileSha256(import.meta.dirname);

await runStageWorkerProcess({
  name: 'train-worker',
  stages: ['train'],
  defaultHealthPort: 9102,
  env: process.env,
  config: trainEnvSchema,
  handlers: (config) => {
    const store = createArtifactStore(artifactStoreConfigFromEnv(process.env));
    return {
      train: createTrainHandler({
        store,
        ...(config.LATHE_TF_BACKEND ? { backend: config.LATHE_TF_BACKEND } : {}),
        datasets: createDatasetAccess(store),
        ...(lockfile !== undefined ? { lockfileSha256: lockfile } : {}),
      }),
    };
  },
});
