/**
 * POST /v1/endpoints/:endpoint/explain {instance, baseline?, label?, orderings?, steps?, seed?}:
 * why the endpoint's model (the unit's variant's, else the active deployment's) predicts what it
 * does for one instance, as each input's contribution to the explained class's probability (the
 * predicted class unless `label` is given):
 *   - tabular (`{features}`): Shapley values sampled over feature orderings (@lathe/ml
 *     explainTabularPrediction). The default baseline is every feature missing, which the
 *     tabular encoder reads as the training mean (numeric) and an unknown category.
 *     Cost bound: orderings × (features + 1) rows in one model call; orderings ≤ 64.
 *   - image (`{pixels}`): integrated gradients over the pixels from a black image
 *     (explainImagePrediction), an attribution per pixel value and a height × width map.
 *     Cost bound: one forward and backward pass over `steps` images plus 2; steps ≤ 128.
 *   - text (`{text}`): leave-one-token-out occlusion (explainTextPrediction).
 *     Cost bound: tokens + 2 texts in one model call, tokens capped at the model's maxLength.
 * Every answer says its `method` and its cost (`evaluations`). Records no exposure: an
 * explanation is not a served prediction.
 */
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { HttpProblem, parsePart } from '@lathe/core';
import {
  type ExplainRequest,
  type ExplainResponse,
  type ImageShape,
  explainRequestSchema,
  explainTabularInstanceSchema,
} from '@lathe/contract';
import {
  checkInstances,
  explainImagePrediction,
  explainTabularPrediction,
  explainTextPrediction,
  type LoadedModel,
} from '@lathe/ml';
import type { ServeDeps } from './serve-app.ts';

type ExplainBody = ExplainRequest;
type TabularInstance = z.infer<typeof explainTabularInstanceSchema>;
const endpointParams = z.object({ endpoint: z.string().min(1).max(200) });
/** The most tokens a text explanation reads, whatever the model's maxLength. */
const MAX_TOKENS = 512;

function refuseInstances(model: LoadedModel, instances: unknown[], modelVersionId: string): void {
  const problems = checkInstances(model, instances);
  if (problems.length === 0) return;
  const field = problems[0]!.index === 0 ? 'instance' : 'baseline';
  throw new HttpProblem(
    422,
    'invalid_instances',
    `the ${field} does not fit model version ${modelVersionId}: ${problems[0]!.message}`,
    [{ field: `body.${field}`, message: problems[0]!.message }],
  );
}

async function explainWith(model: LoadedModel, body: ExplainBody, endpoint: string, modelVersionId: string) {
  const useCase = model.signature.useCase;
  if (useCase !== 'tabular' && useCase !== 'image' && useCase !== 'nlp')
    throw new HttpProblem(
      422,
      'explain_unsupported',
      `endpoint ${endpoint} serves a ${useCase} model (version ${modelVersionId}); per-prediction explanations are available for tabular, image and text models`,
    );
  if (useCase !== 'tabular' && body.baseline !== undefined)
    throw new HttpProblem(
      422,
      'baseline_unsupported',
      `a baseline can be given for tabular models only; ${useCase === 'image' ? 'images are explained from a black image' : 'texts are explained by removing one token at a time'}`,
      [{ field: 'body.baseline', message: 'tabular models only' }],
    );
  if (body.label !== undefined && !(model.signature.labels ?? []).includes(body.label))
    throw new HttpProblem(
      422,
      'unknown_label',
      `label ${JSON.stringify(body.label)} is not one of the model's (${(model.signature.labels ?? []).join(', ')})`,
      [{ field: 'body.label', message: 'not a label of the model' }],
    );
  const label = body.label !== undefined ? { label: body.label } : {};
  if (useCase === 'image') {
    refuseInstances(model, [body.instance], modelVersionId);
    if (!model.differentiable)
      throw new HttpProblem(
        422,
        'explain_unsupported',
        `model version ${modelVersionId} is not differentiable in its pixels`,
      );
    return {
      method: 'integrated_gradients' as const,
      ...(await explainImagePrediction({
        classifier: model.differentiable,
        pixels: (body.instance as { pixels: number[] }).pixels,
        shape: model.preprocessing.shape as ImageShape,
        steps: body.steps,
        ...label,
      })),
    };
  }
  if (useCase === 'nlp') {
    refuseInstances(model, [body.instance], modelVersionId);
    const maxLength = model.preprocessing.maxLength;
    return {
      method: 'token_occlusion' as const,
      ...(await explainTextPrediction({
        predict: (rows) => model.predict(rows),
        text: (body.instance as { text: string }).text,
        maxTokens: Math.min(MAX_TOKENS, typeof maxLength === 'number' ? maxLength : MAX_TOKENS),
        ...label,
      })),
    };
  }
  const instance = body.instance as TabularInstance;
  const baseline = body.baseline ?? {
    features: Object.fromEntries(Object.keys(instance.features ?? {}).map((f) => [f, null])),
  };
  refuseInstances(model, [instance, baseline], modelVersionId);
  return {
    method: 'shapley_sampling' as const,
    ...(await explainTabularPrediction({
      predict: (rows) => model.predict(rows),
      instance,
      baseline,
      orderings: body.orderings,
      seed: body.seed,
      ...label,
    })),
  };
}

export function registerExplainRoute(
  app: Express,
  deps: Pick<ServeDeps, 'router' | 'models' | 'keys'>,
): void {
  app.post('/v1/endpoints/:endpoint/explain', async (req: Request, res: Response) => {
    await deps.keys?.authorize((name) => req.get(name), 'viewer');
    const { endpoint } = parsePart('params', endpointParams, req.params);
    const body = parsePart('body', explainRequestSchema, req.body);
    const route = await deps.router.route(endpoint, body.unitId);
    const explanation = await deps.models.use(route.modelVersionId, (model) =>
      explainWith(model, body, endpoint, route.modelVersionId),
    );
    const answer: ExplainResponse = { endpoint, modelVersionId: route.modelVersionId, ...explanation };
    res.status(200).json(answer);
  });
}
