/**
 * POST /v1/endpoints/:endpoint/explain {instance, baseline?, label?, orderings?, seed?}: why the
 * endpoint's model (the unit's variant's, else the active deployment's) predicts what it does
 * for one tabular row: each feature's contribution to the explained class's probability,
 * Shapley values sampled over feature orderings (@lathe/ml explainTabularPrediction). The
 * default baseline is every feature missing, which the tabular encoder reads as the training
 * mean (numeric) and an unknown category: contributions then say how the row differs from an
 * average one. Cost bound: orderings × (features + 1) rows in one model call; orderings ≤ 64.
 * Records no exposure: an explanation is not a served prediction.
 */
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { HttpProblem, parsePart } from '@lathe/core';
import { checkInstances, explainTabularPrediction } from '@lathe/ml';
import type { ServeDeps } from './serve-app.ts';

const featureValue = z.union([z.number(), z.string(), z.null()]);
const explainBody = z.strictObject({
  unitId: z.string().min(1).max(200).optional(),
  instance: z.strictObject({ features: z.record(z.string(), featureValue) }),
  baseline: z.strictObject({ features: z.record(z.string(), featureValue) }).optional(),
  label: z.string().optional().describe('the class to explain; default: the predicted one'),
  orderings: z.number().int().min(1).max(64).default(16),
  seed: z.number().int().min(0).default(0),
});
const endpointParams = z.object({ endpoint: z.string().min(1).max(200) });

export function registerExplainRoute(
  app: Express,
  deps: Pick<ServeDeps, 'router' | 'models' | 'keys'>,
): void {
  app.post('/v1/endpoints/:endpoint/explain', async (req: Request, res: Response) => {
    await deps.keys?.authorize((name) => req.get(name), 'viewer');
    const { endpoint } = parsePart('params', endpointParams, req.params);
    const body = parsePart('body', explainBody, req.body);
    const route = await deps.router.route(endpoint, body.unitId);
    const explanation = await deps.models.use(route.modelVersionId, async (model) => {
      if (model.signature.useCase !== 'tabular')
        throw new HttpProblem(
          422,
          'explain_unsupported',
          `endpoint ${endpoint} serves a ${model.signature.useCase} model (version ${route.modelVersionId}); per-prediction explanations are available for tabular models`,
        );
      const baseline = body.baseline ?? {
        features: Object.fromEntries(Object.keys(body.instance.features).map((f) => [f, null])),
      };
      const problems = checkInstances(model, [body.instance, baseline]);
      if (problems.length > 0)
        throw new HttpProblem(
          422,
          'invalid_instances',
          `the ${problems[0]!.index === 0 ? 'instance' : 'baseline'} does not fit model version ${route.modelVersionId}: ${problems[0]!.message}`,
          [
            {
              field: problems[0]!.index === 0 ? 'body.instance' : 'body.baseline',
              message: problems[0]!.message,
            },
          ],
        );
      if (body.label !== undefined && !(model.signature.labels ?? []).includes(body.label))
        throw new HttpProblem(
          422,
          'unknown_label',
          `label ${JSON.stringify(body.label)} is not one of the model's (${(model.signature.labels ?? []).join(', ')})`,
          [{ field: 'body.label', message: 'not a label of the model' }],
        );
      return explainTabularPrediction({
        predict: (rows) => model.predict(rows),
        instance: body.instance,
        baseline,
        orderings: body.orderings,
        seed: body.seed,
        ...(body.label !== undefined ? { label: body.label } : {}),
      });
    });
    res.status(200).json({ endpoint, modelVersionId: route.modelVersionId, ...explanation });
  });
}
