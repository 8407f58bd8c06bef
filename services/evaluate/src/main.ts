/** The evaluate worker: its handler over the artifact store and dataset reader, wired by runStageWorkerProcess. */
import { artifactStoreConfigFromEnv, createArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess } from '@lathe/data';
import { runStageWorkerProcess } from '@lathe/queues';
import { createEvaluateHandler } from './handler.ts';

await runStageWorkerProcess({
  name: 'evaluate-worker',
  stages: ['evaluate'],
  defaultHealthPort: 9103,
  handlers: () => {
    const store = createArtifactStore(artifactStoreConfigFromEnv());
    return { evaluate: createEvaluateHandler({ store, datasets: createDatasetAccess(store) }) };
  },
});
