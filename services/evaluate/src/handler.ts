/**
 * The evaluate stage and the promotion gate (as TFX's Evaluator):
 *   1. score the run's model version on the dataset version's test split;
 *   2. score the model behind the `production` alias on the SAME split, in the same stage;
 *   3. apply the experiment's gate (absolute thresholds, and changes vs that baseline) and, for
 *      classifiers, the trivial baseline every model must beat (majority class, class shares, AUC 0.5);
 *   4. store an Evaluation with metrics, curves, slices, verdict and one reason per threshold.
 * A failed verdict fails the stage with the reasons (code `gate_failed`), so the pipeline stops
 * before deploy. An authorised override (stored on the Evaluation) lets a retry pass.
 * Idempotent: the Evaluation is unique per (model version, dataset version, split).
 */
import { LatheError } from '@lathe/core';
import type { ArtifactStore } from '@lathe/artifacts';
import type { DatasetAccess, Gate } from '@lathe/contract';
import { type GateResult, applyGate, loadModel, parseGate } from '@lathe/ml';
import type { StageHandler } from '@lathe/queues';
import {
  findEvaluation,
  getAlias,
  getDatasetVersion,
  getModelVersion,
  recordEvaluation,
  type ModelVersion,
  type Registry,
} from '@lathe/registry';
import { type ModelScore, scoreModel } from './score-model.ts';
import { type GlobalExplanation, explainModel } from './explain-model.ts';
import { robustnessMetrics } from './robustness.ts';

export interface EvaluateDeps {
  store: ArtifactStore;
  datasets: DatasetAccess;
}

const SPLIT = 'test';
const json = (value: unknown) => JSON.parse(JSON.stringify(value ?? null));

async function scoreVersion(
  deps: EvaluateDeps,
  modelVersion: ModelVersion,
  dataset: Awaited<ReturnType<DatasetAccess['open']>>,
  options: { seed: number; explain: boolean },
): Promise<ModelScore & { explanations?: GlobalExplanation | null }> {
  const model = await loadModel(await deps.store.getBuffer(modelVersion.sha256), {
    expectedSha256: modelVersion.sha256,
  });
  try {
    // The baseline gets the candidate's seed too: a generative model's two-sample test then
    // compares both on the same real images and the same noise.
    const score = await scoreModel(model, dataset, modelVersion.useCase, { seed: options.seed });
    if (!options.explain) return score;
    const explain = { seed: options.seed };
    // Robustness numbers join the held-out metrics: stored, shown, and usable by the gate.
    const robustness = score.summary
      ? await robustnessMetrics(model, dataset, modelVersion.useCase, explain.seed)
      : {};
    return {
      ...score,
      ...(score.summary
        ? { summary: { ...score.summary, metrics: { ...score.summary.metrics, ...robustness } } }
        : {}),
      explanations: await explainModel(model, dataset, modelVersion.useCase, explain.seed),
    };
  } finally {
    model.dispose();
  }
}

/** The gate of an experiment: `{ thresholds: [...] }`, or a bare list of thresholds. */
export function gateOf(raw: unknown): Gate {
  return parseGate(Array.isArray(raw) ? { thresholds: raw } : (raw ?? { thresholds: [] }));
}

export function createEvaluateHandler(deps: EvaluateDeps): StageHandler<'evaluate'> {
  return async (ctx) => {
    const trained = await ctx.stageOutput('train');
    const modelVersionId = trained?.modelVersionId;
    if (!modelVersionId || !ctx.run.datasetVersionId) {
      throw new LatheError(
        'missing_stage_output',
        `run ${ctx.runId}: evaluate found no model version or dataset version`,
        { permanent: true },
      );
    }
    const gate = gateOf(ctx.experiment.gate);
    const candidate = await getModelVersion(ctx.registry, modelVersionId);
    const datasetVersion = await getDatasetVersion(ctx.registry, ctx.run.datasetVersionId);

    let evaluation = await findEvaluation(ctx.registry, {
      modelVersionId,
      datasetVersionId: datasetVersion.id,
      split: SPLIT,
    });
    if (!evaluation) {
      const dataset = await deps.datasets.open(datasetVersion);
      const score = await scoreVersion(deps, candidate, dataset, { seed: ctx.run.seed, explain: true });
      await ctx.reportProgress(0.5);
      await ctx.throwIfStopped();
      const production = await getAlias(ctx.registry, candidate.modelName, 'production');
      const baselineVersion =
        production && production.modelVersionId !== candidate.id ? production.modelVersion : null;
      const baseline = baselineVersion
        ? await scoreVersion(deps, baselineVersion, dataset, { seed: ctx.run.seed, explain: false })
        : null;
      const result = decide(score, baseline, gate, candidate, baselineVersion);
      evaluation = await saveEvaluation(ctx.registry, {
        modelVersionId,
        datasetVersionId: datasetVersion.id,
        runId: ctx.runId,
        score,
        baselineVersionId: baselineVersion?.id ?? null,
        baseline,
        result,
      });
    }
    await ctx.reportProgress(1);
    const reasons = (evaluation.reasons as string[]) ?? [];
    if (evaluation.verdict === 'failed') {
      throw new LatheError(
        'gate_failed',
        `model version ${candidate.version} of ${candidate.modelName} failed the gate: ${reasons.join('; ')}`,
        {
          permanent: true,
          details: { evaluationId: evaluation.id, reasons },
        },
      );
    }
    return { evaluationId: evaluation.id, modelVersionId, verdict: evaluation.verdict, reasons };
  };
}

/**
 * Gate metrics: held-out metrics, falling back to the training metrics where none exist. A
 * generative model's two-sample metrics join its training losses (gLoss, dLoss), which were its
 * only gateable numbers before the test existed, so those gates keep working.
 */
export function decide(
  score: ModelScore,
  baseline: ModelScore | null,
  gate: Gate,
  candidate: ModelVersion,
  baselineVersion: ModelVersion | null = null,
): GateResult {
  // A generative model's training losses are gateable beside its held-out metrics, on both
  // sides: a gate relative to production compares the candidate's gLoss with production's.
  const metricsOf = (summary: NonNullable<ModelScore['summary']>, version: ModelVersion | null) =>
    summary.kind === 'generative'
      ? { ...((version?.metrics ?? {}) as Record<string, number>), ...summary.metrics }
      : summary.metrics;
  const candidateMetrics = score.summary
    ? { metrics: metricsOf(score.summary, candidate), undefinedMetrics: score.summary.undefinedMetrics }
    : { metrics: (candidate.metrics ?? {}) as Record<string, number> };
  const baselineMetrics = baseline?.summary
    ? {
        metrics: metricsOf(baseline.summary, baselineVersion),
        undefinedMetrics: baseline.summary.undefinedMetrics,
      }
    : null;
  return applyGate(candidateMetrics, baselineMetrics, gate, score.trivial ? { trivial: score.trivial } : {});
}

export async function saveEvaluation(
  registry: Registry,
  input: {
    modelVersionId: string;
    datasetVersionId: string;
    /** Default: the test split, as the evaluate stage scores it. */
    split?: string;
    runId: string | null;
    score: ModelScore & { explanations?: GlobalExplanation | null };
    baselineVersionId: string | null;
    baseline: ModelScore | null;
    result: GateResult;
  },
) {
  const { score, baseline, result } = input;
  const data = {
    runId: input.runId,
    // The note says why there is no metric, or (generative) what the metrics mean.
    metrics: json({
      ...(score.summary?.metrics ?? {}),
      ...(score.note !== undefined ? { note: score.note } : {}),
    }),
    curves: json({
      ...(score.summary?.curves ?? {}),
      perClass: score.summary?.perClass,
      confusionMatrix: score.summary?.confusionMatrix,
      undefinedMetrics: score.summary?.undefinedMetrics,
      popularityBaseline: (score.summary as { popularityBaseline?: unknown } | null)?.popularityBaseline,
    }),
    slices: json(score.slices),
    ...(score.explanations ? { explanations: json(score.explanations) } : {}),
    verdict: result.verdict,
    reasons: result.reasons,
    baselineModelVersionId: input.baselineVersionId,
    baselineMetrics: baseline?.summary ? json(baseline.summary.metrics) : undefined,
  };
  return recordEvaluation(registry, {
    modelVersionId: input.modelVersionId,
    datasetVersionId: input.datasetVersionId,
    split: input.split ?? SPLIT,
    ...data,
  });
}
