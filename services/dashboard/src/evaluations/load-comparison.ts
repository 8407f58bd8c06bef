/**
 * Everything the compare page shows of two or more evaluations: each evaluation with its model
 * version, the hyperparameters its run trained with (the experiment's, with the run's
 * overrides, as the pipeline merges them) and its training curves; and the API's comparison of
 * the first evaluation with each other one, so deltas are computed in one place (the API).
 */
import type { ApiClient } from '../api/api-client.ts';
import { withQuery } from '../api/api-client.ts';
import type { EvaluationComparison, Evaluation, Experiment, ModelVersion, RunMetrics } from '@lathe/contract';

export interface ComparedVersion {
  evaluation: Evaluation;
  model: ModelVersion;
  /** `clicks-mf v2`; the evaluation's short id when two evaluations are of one version. */
  label: string;
  hyperparameters: Record<string, unknown> | null;
  metrics: RunMetrics['series'] | null;
}

export interface LoadedComparison {
  versions: ComparedVersion[];
  /** comparisons[i] is versions[0] (a) against versions[i + 1] (b). */
  comparisons: EvaluationComparison[];
}

interface RunWithParams {
  experimentId: string;
  params?: { hyperparameters?: Record<string, unknown> };
}

export async function loadComparison(
  client: ApiClient,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<LoadedComparison> {
  const get = <T>(path: string) => client.get<T>(path, signal ? { signal } : {});
  const versions = await Promise.all(
    ids.map(async (id) => {
      const evaluation = await get<Evaluation>(`/evaluations/${encodeURIComponent(id)}`);
      const model = await get<ModelVersion>(`/model-versions/${evaluation.modelVersionId}`);
      let hyperparameters: Record<string, unknown> | null = null;
      let metrics: RunMetrics['series'] | null = null;
      if (model.runId) {
        const [run, runMetrics] = await Promise.all([
          get<RunWithParams>(`/runs/${model.runId}`),
          get<RunMetrics>(`/runs/${model.runId}/metrics`),
        ]);
        const experiment = await get<Experiment>(`/experiments/${run.experimentId}`);
        hyperparameters = { ...experiment.hyperparameters, ...(run.params?.hyperparameters ?? {}) };
        metrics = runMetrics.series;
      }
      return { evaluation, model, hyperparameters, metrics };
    }),
  );
  const names = versions.map((v) => `${v.model.modelName} v${v.model.version}`);
  const labelled = versions.map((v, i) => ({
    ...v,
    label:
      names.indexOf(names[i]!) === names.lastIndexOf(names[i]!)
        ? names[i]!
        : `${names[i]} (${v.evaluation.id.slice(0, 8)})`,
  }));
  const comparisons = await Promise.all(
    ids.slice(1).map((b) => get<EvaluationComparison>(withQuery('/evaluations/compare', { a: ids[0], b }))),
  );
  return { versions: labelled, comparisons };
}
