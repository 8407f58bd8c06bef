/**
 * POST /v1/endpoints/:endpoint/generate {n, seed?}: n images from the endpoint's generative model
 * (the DCGAN family's generator), each as `pixels` (height × width × channels bytes, row-major:
 * the form predict takes), with the shape. The same seed gives the same images. At most 64 per
 * request. Records no exposure.
 */
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { HttpProblem, parsePart } from '@lathe/core';
import type { ServeDeps } from './serve-app.ts';

const generateBody = z.strictObject({
  unitId: z.string().min(1).max(200).optional(),
  n: z.number().int().min(1).max(64),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
});
const endpointParams = z.object({ endpoint: z.string().min(1).max(200) });

export function registerGenerateRoute(
  app: Express,
  deps: Pick<ServeDeps, 'router' | 'models' | 'keys'>,
): void {
  app.post('/v1/endpoints/:endpoint/generate', async (req: Request, res: Response) => {
    await deps.keys?.authorize((name) => req.get(name), 'viewer');
    const { endpoint } = parsePart('params', endpointParams, req.params);
    const body = parsePart('body', generateBody, req.body);
    const route = await deps.router.route(endpoint, body.unitId);
    const generated = await deps.models.use(route.modelVersionId, async (model) => {
      if (model.signature.useCase !== 'generative')
        throw new HttpProblem(
          422,
          'generate_unsupported',
          `endpoint ${endpoint} serves a ${model.signature.useCase} model (version ${route.modelVersionId}); generate needs a generative model: use predict`,
        );
      return model.generate(body.n, body.seed);
    });
    res.status(200).json({
      endpoint,
      modelVersionId: route.modelVersionId,
      seed: body.seed,
      shape: generated.shape,
      images: generated.images.map((pixels) => ({ pixels: Array.from(pixels) })),
    });
  });
}
