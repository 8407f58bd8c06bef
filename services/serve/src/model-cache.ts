/**
 * Loaded model versions, the `size` most recently used. A model is loaded once (concurrent
 * requests share the load), from the artifact store with its sha256 verified; a failed load is
 * not kept, so the next request tries again. An evicted model is disposed only when the last
 * prediction using it has finished.
 */
import type { ArtifactStore } from '@lathe/artifacts';
import { LatheError, type Logger } from '@lathe/core';
import { loadModel, type LoadedModel } from '@lathe/ml';
import { getModelVersion, type Registry } from '@lathe/registry';
import { warmUp } from './warm-up.ts';

interface Entry {
  model: Promise<LoadedModel>;
  users: number;
  evicted: boolean;
}

export interface ModelCache {
  /** Runs `work` with the model version loaded. */
  use<T>(modelVersionId: string, work: (model: LoadedModel) => Promise<T>): Promise<T>;
  stats(): { loaded: number; loads: number };
  close(): Promise<void>;
}

/**
 * Loads a model version's artifact from the store, its sha256 verified, and warms it up
 * (warm-up.ts) before it answers anyone. A deployed model that
 * cannot be loaded (artifact missing or corrupt) is the server's failure, not the caller's:
 * 503 model_unavailable, which the A/B error-rate guardrail counts against its arm.
 */
export function modelVersionLoader(deps: { registry: Registry; store: ArtifactStore; logger: Logger }) {
  return async (modelVersionId: string): Promise<LoadedModel> => {
    const version = await getModelVersion(deps.registry, modelVersionId);
    let model: LoadedModel;
    try {
      model = await loadModel(await deps.store.getBuffer(version.sha256), { expectedSha256: version.sha256 });
      // Before the first caller: its kernels compiled and buffers allocated by a warm-up call.
      await warmUp(model).catch((error: unknown) => {
        model.dispose();
        throw error;
      });
    } catch (error) {
      deps.logger.error({ err: error, modelVersionId }, 'model could not be loaded');
      throw new LatheError(
        'model_unavailable',
        `model version ${modelVersionId} could not be loaded: ${(error as Error).message}`,
        { httpStatus: 503, cause: error },
      );
    }
    deps.logger.info(
      { modelVersionId, modelName: version.modelName, version: version.version },
      'model loaded',
    );
    return model;
  };
}

export function createModelCache(deps: {
  load: (modelVersionId: string) => Promise<LoadedModel>;
  size: number;
}): ModelCache {
  const entries = new Map<string, Entry>();
  let loads = 0;

  const release = (entry: Entry) => {
    if (entry.evicted && entry.users === 0) void entry.model.then((m) => m.dispose()).catch(() => undefined);
  };

  const load = (modelVersionId: string): Promise<LoadedModel> => {
    loads++;
    return deps.load(modelVersionId);
  };

  const entryOf = (modelVersionId: string): Entry => {
    let entry = entries.get(modelVersionId);
    if (entry) {
      entries.delete(modelVersionId); // most recently used goes last
    } else {
      entry = { model: load(modelVersionId), users: 0, evicted: false };
      const loading = entry;
      loading.model.catch(() => entries.get(modelVersionId) === loading && entries.delete(modelVersionId));
    }
    entries.set(modelVersionId, entry);
    while (entries.size > deps.size) {
      const [oldestId, oldest] = entries.entries().next().value as [string, Entry];
      entries.delete(oldestId);
      oldest.evicted = true;
      release(oldest);
    }
    return entry;
  };

  return {
    async use(modelVersionId, work) {
      const entry = entryOf(modelVersionId);
      entry.users++;
      try {
        return await work(await entry.model);
      } finally {
        entry.users--;
        release(entry);
      }
    },
    stats: () => ({ loaded: entries.size, loads }),
    async close() {
      for (const entry of entries.values()) {
        entry.evicted = true;
        release(entry);
      }
      entries.clear();
    },
  };
}
