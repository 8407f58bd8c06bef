/** The train worker: its handler over the artifact store and dataset reader, wired by runStageWorkerProcess. */
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess } from '@lathe/data';
import { lockfileSha256 } from '@lathe/ml';
import { runStageWorkerProcess } from '@lathe/queues';
import { createTrainHandler } from './handler.ts';

const lockfile = await lockfileSha256(import.meta.dirname);

await runStageWorkerProcess({
  name: 'train-worker',
  stages: ['train'],
  defaultHealthPort: 9102,
  handlers: () => {
    const store = createArtifactStore(artifactStoreConfigFromEnv());
    return {
      train: createTrainHandler({
        store,
        datasets: createDatasetAccess(store),
        ...(lockfile !== undefined ? { lockfileSha256: lockfile } : {}),
      }),
    };
  },
});
