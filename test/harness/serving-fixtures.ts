/**
 * Model versions for the serving tests: a small really-trained recommender (implicit
 * interactions, biased MF) stored and registered, with its training rows kept for checking
 * what it saw.
 */
import type { LocalArtifactStore } from '@lathe/artifacts';
import type { RecommendationRow } from '@lathe/contract';
import { train } from '@lathe/ml';
import { registerModelVersion, type Registry } from '@lathe/registry';

export async function trainRecommenderVersion(
  registry: Registry,
  store: LocalArtifactStore,
  options: { modelName: string; rows: RecommendationRow[]; seed: number; epochs?: number },
): Promise<{ modelVersionId: string; buffer: Uint8Array }> {
  const result = await train({
    family: 'mf',
    hyperparameters: { epochs: options.epochs ?? 3, embeddingDim: 8, batchSize: 128, negativeSamples: 2 },
    seed: options.seed,
    dataset: { useCase: 'recommendation' },
    trainRows: async function* () {
      yield* options.rows;
    },
  });
  const stored = await store.put(result.buffer);
  const { modelVersion } = await registerModelVersion(registry, {
    modelName: options.modelName,
    useCase: 'recommendation',
    modelFamily: 'mf',
    artifactUri: stored.uri,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    signature: result.bundle.signature as never,
  });
  return { modelVersionId: modelVersion.id, buffer: result.buffer };
}
