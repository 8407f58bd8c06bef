/**
 * The gateway's HTTP surface:
 *   POST /v1/endpoints/:endpoint/predict   {unitId, instances}: the model version of the unit
 *        (its A/B variant's, else the active deployment's) predicts; an exposure is recorded
 *        for a unit in a running test;
 *   POST /v1/endpoints/:endpoint/outcomes  {unitId, idempotencyKey, metric?, value?}: an outcome
 *        at the endpoint (kept whether or not a test runs: the next test's CUPED covariates),
 *        and for the unit's variant when a test covers it; stored before the 202;
 * Each predict for a unit in a test also counts, for its arm and step, the request, whether it
 * failed on the server side (5xx) and its latency: the error-rate and latency guardrails.
 *   GET /healthz, /readyz, /metrics.
 * The endpoint routes need an API key of the admin API (see client-keys.ts): viewer to
 * predict, editor to post outcomes; `LATHE_SERVE_AUTH=none` turns that off for a gateway that
 * only an authenticating proxy can reach. Errors are problem details, as the admin API's.
 */
import express, { type Express, type Request } from 'express';
import { Counter, Histogram } from 'prom-client';
import { z } from 'zod';
import {
  HttpProblem,
  LatheError,
  createHttpMetrics,
  parsePart,
  problemHandler,
  type Logger,
} from '@lathe/core';
import { checkInstances } from '@lathe/ml';
import {
  abEventKey,
  pingRegistry,
  registryUnavailable,
  type ApiKeyRole,
  type Registry,
} from '@lathe/registry';
import type { AbEventLog } from './ab-event-log.ts';
import type { ClientKeys } from './client-keys.ts';
import type { ServeConfig } from './config.ts';
import type { EndpointRouter } from './endpoint-router.ts';
import type { ModelCache } from './model-cache.ts';

export interface ServeDeps {
  registry: Registry;
  router: EndpointRouter;
  models: ModelCache;
  events: AbEventLog;
  /** null: the endpoint routes take requests without a key (`LATHE_SERVE_AUTH=none`). */
  keys: ClientKeys | null;
  config: ServeConfig;
  logger: Logger;
}

// Any name: one nothing serves is a 404 from the router; the admin API owns the naming rule.
const endpointParams = z.object({ endpoint: z.string().min(1).max(200) });
const unitId = z.string().min(1).max(200);

/** Express 5 passes a rejected promise to the error handler; this keeps handlers plain async functions. */
const handle =
  (work: (req: Request) => Promise<{ status: number; body: unknown }>) =>
  async (req: Request, res: express.Response) => {
    const { status, body } = await work(req);
    res.status(status).json(body);
  };

export function createServeApp(deps: ServeDeps): Express {
  const { router, models, events, config, registry, keys } = deps;
  const app = express();
  app.disable('x-powered-by');
  const http = createHttpMetrics('serve');
  const predictions = new Counter({
    name: 'lathe_serve_predictions_total',
    help: 'Predicted instances by endpoint and A/B variant ("none" outside a test)',
    labelNames: ['endpoint', 'variant'],
    registers: [http.registry],
  });
  // Latency per arm: the A/B guardrail's view of a slow challenger, for the dashboard.
  const predictLatency = new Histogram({
    name: 'lathe_serve_predict_duration_seconds',
    help: 'Answered predict requests by endpoint and A/B variant ("none" outside a test)',
    labelNames: ['endpoint', 'variant'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [http.registry],
  });
  app.use(http.middleware);
  app.use(express.json({ limit: config.jsonLimitBytes, strict: true }));

  /** Where every endpoint route starts: the caller's key, the endpoint, the validated body, the route of its unit. */
  const routed = async <S extends z.ZodType<{ unitId: string }>>(
    req: Request,
    role: ApiKeyRole,
    schema: S,
  ) => {
    await keys?.authorize((name) => req.get(name), role);
    const { endpoint } = parsePart('params', endpointParams, req.params);
    const body = parsePart('body', schema, req.body);
    return { endpoint, body, route: await router.route(endpoint, body.unitId) };
  };

  // An instance is one row as the model's family reads it ({features}, {text}, {pixels}…; see
  // the model version's signature), checked against the model itself once it is loaded.
  const predictBody = z.strictObject({
    unitId,
    instances: z.array(z.record(z.string(), z.unknown())).min(1).max(config.maxInstances),
    // CUPED: the unit's own pre-exposure value per metric, instead of its history at the endpoint.
    covariates: z.record(z.string(), z.number().finite()).optional(),
  });
  app.post(
    '/v1/endpoints/:endpoint/predict',
    handle(async (req) => {
      const started = performance.now();
      const { endpoint, body, route } = await routed(req, 'viewer', predictBody);
      // A unit in a test was exposed to its arm whether the arm answered or failed on the server
      // side (a failure is part of the arm's experience: the error-rate guardrail counts it).
      const served = (failed: boolean) => {
        if (!route.abTest) return;
        events.expose(route.abTest.id, {
          variantId: route.abTest.variantId,
          type: 'exposure',
          unitId: body.unitId,
          idempotencyKey: abEventKey(
            route.abTest.id,
            { type: 'exposure', unitId: body.unitId },
            route.abTest.step,
          ),
          occurredAt: new Date(),
          step: route.abTest.step,
          ...(body.covariates ? { covariates: body.covariates } : {}),
        });
        events.served({
          abTestId: route.abTest.id,
          variantId: route.abTest.variantId,
          step: route.abTest.step,
          latencyMs: performance.now() - started,
          failed,
          slowThresholdMs: route.abTest.slowThresholdMs,
        });
      };
      const output = await models
        .use(route.modelVersionId, async (model) => {
          const problems = checkInstances(model, body.instances);
          if (problems.length > 0) {
            const errors = problems.map((p) => ({
              field: ['body', 'instances', p.index, ...(p.path ? [p.path] : [])].join('.'),
              message: p.message,
            }));
            throw new HttpProblem(
              422,
              'invalid_instances',
              `the instances do not fit model version ${route.modelVersionId}: ${errors[0]!.field}: ${errors[0]!.message}`,
              errors,
            );
          }
          try {
            return await model.predict(body.instances);
          } catch (error) {
            // Checked above, so a failure here is unexpected: still the request's, as far as can be told.
            deps.logger.warn(
              { err: error, endpoint, modelVersionId: route.modelVersionId },
              'prediction failed',
            );
            throw new HttpProblem(
              422,
              'invalid_instances',
              `the instances do not fit model version ${route.modelVersionId}: ${(error as Error).message}`,
              [{ field: 'body.instances', message: (error as Error).message }],
            );
          }
        })
        .catch((error: unknown) => {
          // The arm's fault (its model would not load or answer), not the caller's: the error-rate guardrail counts it.
          if (!(error instanceof LatheError) || error.httpStatus >= 500) served(true);
          throw error;
        });
      served(false);
      const variant = route.abTest?.variant ?? 'none';
      predictions.inc({ endpoint, variant }, body.instances.length);
      predictLatency.observe({ endpoint, variant }, (performance.now() - started) / 1000);
      return {
        status: 200,
        body: {
          endpoint,
          modelVersionId: route.modelVersionId,
          abTest: route.abTest
            ? { id: route.abTest.id, variant: route.abTest.variant, step: route.abTest.step }
            : null,
          predictions: output,
        },
      };
    }),
  );

  const outcomeBody = z.strictObject({
    unitId,
    idempotencyKey: z.string().min(1).max(200),
    metric: z.string().min(1).max(100).optional(),
    value: z.number().finite().optional(),
  });
  app.post(
    '/v1/endpoints/:endpoint/outcomes',
    handle(async (req) => {
      const { endpoint, body, route } = await routed(req, 'editor', outcomeBody);
      const occurredAt = new Date();
      const metric = body.metric ?? route.abTest?.primaryMetric ?? 'conversion';
      const value = body.value ?? 1;
      await events.record(
        {
          endpoint,
          unitId: body.unitId,
          metric,
          value,
          idempotencyKey: `${endpoint}:${body.idempotencyKey}`,
          occurredAt,
        },
        route.abTest
          ? {
              abTestId: route.abTest.id,
              event: {
                variantId: route.abTest.variantId,
                type: 'outcome',
                unitId: body.unitId,
                metric,
                value,
                idempotencyKey: abEventKey(
                  route.abTest.id,
                  { type: 'outcome', unitId: body.unitId, idempotencyKey: body.idempotencyKey },
                  route.abTest.step,
                ),
                occurredAt,
                step: route.abTest.step,
              },
            }
          : null,
      );
      return {
        status: 202,
        body: { endpoint, abTestId: route.abTest?.id ?? null, variant: route.abTest?.variant ?? null },
      };
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get(
    '/readyz',
    handle(async () => {
      await pingRegistry(registry);
      return { status: 200, body: { ok: true, models: models.stats() } };
    }),
  );
  app.get('/metrics', async (_req, res) => {
    res.type(http.registry.contentType).send(await http.registry.metrics());
  });
  app.use(() => {
    throw new HttpProblem(404, 'route_not_found', 'no such route');
  });
  app.use(problemHandler(deps.logger, { classify: registryUnavailable }));
  return app;
}
