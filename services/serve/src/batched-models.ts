/**
 * Model calls through micro-batches (micro-batcher.ts), one batcher per loaded model and kind:
 * predict merges the instances of concurrent requests into one `predict` call and hands each
 * request its own slice back; recommend merges concurrent top-k requests into one
 * `recommendBatch` call (every user's candidate pairs in the same tensors). A batcher belongs
 * to the loaded model object, so a reloaded model version starts a fresh one and a request
 * that started on a model finishes on it.
 */
import type { LoadedModel, Prediction, Recommendation, RecommendRequest } from '@lathe/ml';
import { createMicroBatcher, type MicroBatcher, type MicroBatchOptions } from './micro-batcher.ts';
import type { ServingMetrics } from './serving-metrics.ts';

export interface BatchedModels {
  predict(
    model: LoadedModel,
    modelVersionId: string,
    instances: unknown[],
    deadlineMs: number,
  ): Promise<Prediction[]>;
  recommend(
    model: LoadedModel,
    modelVersionId: string,
    request: RecommendRequest,
    deadlineMs: number,
  ): Promise<Recommendation>;
}

interface Batchers {
  predict: MicroBatcher<unknown[], Prediction[]>;
  recommend: MicroBatcher<RecommendRequest, Recommendation>;
}

export function createBatchedModels(options: MicroBatchOptions, metrics: ServingMetrics): BatchedModels {
  const batchers = new WeakMap<LoadedModel, Batchers>();

  const of = (model: LoadedModel, modelVersionId: string): Batchers => {
    let own = batchers.get(model);
    if (own) return own;
    own = {
      predict: createMicroBatcher(
        async (jobs: unknown[][]) => {
          const merged = await model.predict(jobs.flat());
          let at = 0;
          return jobs.map((job) => merged.slice(at, (at += job.length)));
        },
        { ...options, observe: (batch) => metrics.modelCall(modelVersionId, 'predict', batch) },
      ),
      // A top-k request counts as one row: its pairs are chunked inside recommendBatch.
      recommend: createMicroBatcher((jobs: RecommendRequest[]) => model.recommendBatch(jobs), {
        ...options,
        observe: (batch) => metrics.modelCall(modelVersionId, 'recommend', batch),
      }),
    };
    batchers.set(model, own);
    return own;
  };

  return {
    predict: (model, modelVersionId, instances, deadlineMs) =>
      of(model, modelVersionId).predict.submit(instances, { rows: instances.length, deadlineMs }),
    recommend: (model, modelVersionId, request, deadlineMs) =>
      of(model, modelVersionId).recommend.submit(request, { rows: 1, deadlineMs }),
  };
}
