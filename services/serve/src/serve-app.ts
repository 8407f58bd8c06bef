/**
 * The gateway's HTTP surface (request and response shapes: @lathe/contract serving.ts):
 *   POST /v1/endpoints/:endpoint/predict   {unitId?, instances}: the model version of the unit
 *        (its A/B variant's, else the active deployment's) predicts; an exposure is recorded
 *        for a unit in a running test (unitId is required only then);
 *   POST /v1/endpoints/:endpoint/recommend {unitId?, userId?, k, exclude?, candidates?,
 *        includeSeen?}: the k best items for the user by the model version's own scores,
 *        leaving out what the user interacted with in its training data; a user it never saw
 *        gets the popularity ranking (basis `popularity`); exposures as for predict;
 *   POST /v1/endpoints/:endpoint/outcomes  {unitId, idempotencyKey, metric?, value?}: an outcome
 *        at the endpoint (kept whether or not a test runs: the next test's CUPED covariates),
 *        and for the unit's variant when a test covers it; stored before the 202;
 * Each predict or recommend for a unit in a test also counts, for its arm and step, the request,
 * whether it failed on the server side (5xx) and its latency: the error-rate and latency
 * guardrails; /metrics has the same per endpoint, model version and arm. Model calls go
 * through micro-batches (micro-batcher.ts): a full queue or a passed deadline is 503 with
 * Retry-After. An endpoint with a shadow deployment has each request mirrored to it after
 * the caller's answer (shadow-comparison.ts); a blue-green standby is kept loaded and warm.
 *   GET /healthz, /readyz, /metrics.
 * The endpoint routes need an API key of the admin API (see client-keys.ts): viewer to
 * predict, editor to post outcomes; `LATHE_SERVE_AUTH=none` turns that off for a gateway that
 * only an authenticating proxy can reach. Errors are problem details, as the admin API's.
 */
import express, { type Express, type Request } from 'express';
import { Registry as PromRegistry } from 'prom-client';
import { z } from 'zod';
import {
  outcomeRequestSchema,
  predictRequestSchema,
  recommendRequestSchema,
  type OutcomeResponse,
  type PredictResponse,
  type RecommendResponse,
} from '@lathe/contract';
import {
  HttpProblem,
  LatheError,
  createHttpMetrics,
  createHttpTracing,
  parsePart,
  problemHandler,
  type Logger,
} from '@lathe/core';
import { checkInstances, type LoadedModel, type RecommendRequest } from '@lathe/ml';
import {
  abEventKey,
  markDeploymentWarmed,
  pingRegistry,
  registryUnavailable,
  type ApiKeyRole,
  type Registry,
  type ShadowComparisonDelta,
} from '@lathe/registry';
import type { AbEventLog } from './ab-event-log.ts';
import type { BatchedModels } from './batched-models.ts';
import type { ClientKeys } from './client-keys.ts';
import type { ServeConfig } from './config.ts';
import type { EndpointRouter, GatewayRoute } from './endpoint-router.ts';
import type { ModelCache } from './model-cache.ts';
import type { ServingMetrics } from './serving-metrics.ts';
import { registerExplainRoute } from './explain-route.ts';
import { registerGenerateRoute } from './generate-route.ts';
import { compareRecommendations, comparePredictions, emptyComparison } from './shadow-comparison.ts';
import type { ShadowLog } from './shadow-log.ts';

export interface ServeDeps {
  registry: Registry;
  router: EndpointRouter;
  models: ModelCache;
  /** Model calls through micro-batches (batched-models.ts). */
  batched: BatchedModels;
  events: AbEventLog;
  shadows: ShadowLog;
  /** The gateway's own series, exported on /metrics with the HTTP ones. */
  metrics: ServingMetrics;
  /** null: the endpoint routes take requests without a key (`LATHE_SERVE_AUTH=none`). */
  keys: ClientKeys | null;
  config: ServeConfig;
  logger: Logger;
}

// Any name: one nothing serves is a 404 from the router; the admin API owns the naming rule.
const endpointParams = z.object({ endpoint: z.string().min(1).max(200) });

/** Express 5 passes a rejected promise to the error handler; this keeps handlers plain async functions. */
const handle =
  (work: (req: Request) => Promise<{ status: number; body: unknown }>) =>
  async (req: Request, res: express.Response) => {
    const { status, body } = await work(req);
    // Written directly rather than through res.json: Express's send would also hash every
    // answer for an ETag (no caller revalidates a POST's answer) and re-encode it for its length.
    res.status(status).setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  };

/** The instances as a 422 naming the first field that does not fit the model, or nothing. */
function assertInstancesFit(model: LoadedModel, modelVersionId: string, instances: unknown[]): void {
  const problems = checkInstances(model, instances);
  if (problems.length === 0) return;
  const errors = problems.map((p) => ({
    field: ['body', 'instances', p.index, ...(p.path ? [p.path] : [])].join('.'),
    message: p.message,
  }));
  throw new HttpProblem(
    422,
    'invalid_instances',
    `the instances do not fit model version ${modelVersionId}: ${errors[0]!.field}: ${errors[0]!.message}`,
    errors,
  );
}

/** The server's failure (its model would not load or answer), not the caller's. */
const serverSide = (error: unknown) => !(error instanceof LatheError) || error.httpStatus >= 500;

export function createServeApp(deps: ServeDeps): Express {
  const { router, models, batched, events, shadows, config, registry, keys } = deps;
  const serving = deps.metrics;
  const app = express();
  app.disable('x-powered-by');
  // A server span per request, a no-op unless main.ts started tracing (docs/operations.md).
  const tracing = createHttpTracing('serve');
  app.use(tracing.middleware);
  const http = createHttpMetrics('serve');
  app.use(http.middleware);
  app.use(express.json({ limit: config.jsonLimitBytes, strict: true }));

  /** Where every endpoint route starts: the caller's key, the endpoint, the validated body, the route of its unit. */
  const routed = async <S extends z.ZodType>(
    req: Request,
    role: ApiKeyRole,
    schema: S,
    unitOf: (body: z.infer<S>) => string | undefined,
  ) => {
    await keys?.authorize((name) => req.get(name), role);
    const { endpoint } = parsePart('params', endpointParams, req.params);
    const body = parsePart('body', schema, req.body);
    const route = await router.route(endpoint, unitOf(body));
    keepStandbyWarm(route);
    return { endpoint, body, route };
  };

  // A blue-green standby is loaded (and so warmed: see model-cache.ts) as soon as a request
  // shows this gateway that it exists, and reported warm once, so the switch finds it ready.
  const warmedStandbys = new Set<string>();
  const keepStandbyWarm = (route: GatewayRoute) => {
    const standby = route.standby;
    if (!standby) return;
    const key = `${standby.deploymentId}:${standby.modelVersionId}`;
    if (warmedStandbys.has(key)) return;
    warmedStandbys.add(key);
    void models
      .use(standby.modelVersionId, async () => {
        if (!standby.warmed) await markDeploymentWarmed(registry, standby.deploymentId);
      })
      .catch((error: unknown) => {
        warmedStandbys.delete(key); // tried again by a later request
        deps.logger.warn({ err: error, deploymentId: standby.deploymentId }, 'standby not warmed');
      });
  };

  /**
   * What every answered (or failed) endpoint request records: the arm's latency and errors on
   * /metrics, and for a unit in a test its exposure and its arm's request health (a failure
   * is part of the arm's experience: the error-rate guardrail counts it).
   */
  const served = (
    what: { endpoint: string; route: GatewayRoute; unitId: string | undefined; started: number },
    kind: 'predict' | 'recommend',
    failed: boolean,
    covariates: Record<string, number> | undefined,
  ) => {
    const { route, unitId } = what;
    const latencyMs = performance.now() - what.started;
    serving.served(
      {
        endpoint: what.endpoint,
        modelVersionId: route.modelVersionId,
        arm: route.abTest?.variant ?? 'none',
        route: kind,
      },
      latencyMs / 1000,
      failed,
    );
    if (!route.abTest || unitId === undefined) return;
    events.expose(route.abTest.id, {
      variantId: route.abTest.variantId,
      type: 'exposure',
      unitId,
      idempotencyKey: abEventKey(route.abTest.id, { type: 'exposure', unitId }, route.abTest.step),
      occurredAt: new Date(),
      step: route.abTest.step,
      ...(covariates ? { covariates } : {}),
    });
    events.served({
      abTestId: route.abTest.id,
      variantId: route.abTest.variantId,
      step: route.abTest.step,
      latencyMs,
      failed,
      slowThresholdMs: route.abTest.slowThresholdMs,
    });
  };

  /**
   * A copy of the request for the endpoint's shadow model, after the caller has its answer:
   * compared with production's and summed on the shadow deployment. Whatever the shadow does
   * (fails to load, rejects the instances, times out) stays here.
   */
  const mirror = <A>(
    request: { endpoint: string; route: GatewayRoute },
    kind: 'predict' | 'recommend',
    primaryLatencyMs: number,
    call: (model: LoadedModel, modelVersionId: string) => Promise<A>,
    compare: (shadow: A) => ShadowComparisonDelta,
    answers: number,
  ) => {
    const shadow = request.route.shadow;
    if (!shadow) return;
    setImmediate(() => {
      const started = performance.now();
      void models
        .use(shadow.modelVersionId, (model) => call(model, shadow.modelVersionId))
        .then(
          (answer) => ({ ...compare(answer) }),
          (error: unknown) => {
            deps.logger.debug({ err: error, deploymentId: shadow.deploymentId }, 'shadow call failed');
            return { ...emptyComparison(), requests: answers, errors: answers };
          },
        )
        .then((delta) => {
          delta.shadowLatencyMsSum = (performance.now() - started) * delta.requests;
          delta.primaryLatencyMsSum = primaryLatencyMs * delta.requests;
          serving.served(
            {
              endpoint: request.endpoint,
              modelVersionId: shadow.modelVersionId,
              arm: 'shadow',
              route: kind,
            },
            (performance.now() - started) / 1000,
            delta.errors > 0,
          );
          shadows.add(shadow.deploymentId, delta);
        });
    });
  };

  const predictBody = predictRequestSchema.extend({
    instances: predictRequestSchema.shape.instances.max(config.maxInstances),
  });
  app.post(
    '/v1/endpoints/:endpoint/predict',
    handle(async (req) => {
      const started = performance.now();
      const { endpoint, body, route } = await routed(req, 'viewer', predictBody, (b) => b.unitId);
      const request = { endpoint, route, unitId: body.unitId, started };
      const predict = async (model: LoadedModel, modelVersionId: string) => {
        assertInstancesFit(model, modelVersionId, body.instances);
        try {
          return await batched.predict(model, modelVersionId, body.instances, config.deadlineMs);
        } catch (error) {
          if (error instanceof LatheError) throw error;
          // Checked above, so a failure here is unexpected: still the request's, as far as can be told.
          deps.logger.warn({ err: error, endpoint, modelVersionId }, 'prediction failed');
          throw new HttpProblem(
            422,
            'invalid_instances',
            `the instances do not fit model version ${modelVersionId}: ${(error as Error).message}`,
            [{ field: 'body.instances', message: (error as Error).message }],
          );
        }
      };
      const output = await models
        .use(route.modelVersionId, (model) => predict(model, route.modelVersionId))
        .catch((error: unknown) => {
          if (serverSide(error)) served(request, 'predict', true, body.covariates);
          throw error;
        });
      served(request, 'predict', false, body.covariates);
      mirror(
        request,
        'predict',
        performance.now() - started,
        predict,
        (shadow) => comparePredictions(output, shadow),
        body.instances.length,
      );
      serving.predicted(endpoint, route.abTest?.variant ?? 'none', body.instances.length);
      return {
        status: 200,
        body: {
          endpoint,
          modelVersionId: route.modelVersionId,
          abTest: route.abTest
            ? { id: route.abTest.id, variant: route.abTest.variant, step: route.abTest.step }
            : null,
          predictions: output,
        } satisfies PredictResponse,
      };
    }),
  );

  app.post(
    '/v1/endpoints/:endpoint/recommend',
    handle(async (req) => {
      const started = performance.now();
      const { endpoint, body, route } = await routed(
        req,
        'viewer',
        recommendRequestSchema,
        (b) => b.unitId ?? b.userId,
      );
      const unitId = body.unitId ?? body.userId;
      const request = { endpoint, route, unitId, started };
      const question: RecommendRequest = {
        // No user: nobody the model knows, so the popularity ranking.
        user: body.userId ?? '',
        k: body.k,
        excludeSeen: !body.includeSeen,
        ...(body.exclude ? { exclude: body.exclude } : {}),
        ...(body.candidates ? { candidates: body.candidates } : {}),
      };
      const recommend = (model: LoadedModel, modelVersionId: string) => {
        if (model.signature.useCase !== 'recommendation')
          throw new HttpProblem(
            422,
            'not_a_recommender',
            `endpoint ${endpoint} serves a ${model.signature.useCase} model (version ${modelVersionId}); recommend needs a recommendation model: use predict`,
          );
        return batched.recommend(model, modelVersionId, question, config.deadlineMs);
      };
      const list = await models
        .use(route.modelVersionId, (model) => recommend(model, route.modelVersionId))
        .catch((error: unknown) => {
          if (serverSide(error)) served(request, 'recommend', true, body.covariates);
          throw error;
        });
      served(request, 'recommend', false, body.covariates);
      mirror(
        request,
        'recommend',
        performance.now() - started,
        recommend,
        (shadow) => compareRecommendations(list, shadow),
        1,
      );
      return {
        status: 200,
        body: {
          endpoint,
          modelVersionId: route.modelVersionId,
          abTest: route.abTest
            ? { id: route.abTest.id, variant: route.abTest.variant, step: route.abTest.step }
            : null,
          basis: list.basis,
          items: list.items.map((x) => ({ itemId: x.item, score: x.score })),
        } satisfies RecommendResponse,
      };
    }),
  );

  app.post(
    '/v1/endpoints/:endpoint/outcomes',
    handle(async (req) => {
      const { endpoint, body, route } = await routed(req, 'editor', outcomeRequestSchema, (b) => b.unitId);
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
        body: {
          endpoint,
          abTestId: route.abTest?.id ?? null,
          variant: route.abTest?.variant ?? null,
        } satisfies OutcomeResponse,
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
  registerExplainRoute(app, deps);
  registerGenerateRoute(app, deps);
  const exported = PromRegistry.merge([http.registry, serving.registry]);
  app.get('/metrics', async (_req, res) => {
    res.type(exported.contentType).send(await exported.metrics());
  });
  app.use(() => {
    throw new HttpProblem(404, 'route_not_found', 'no such route');
  });
  // A refusal for load (full queue, deadline) says when to come back.
  app.use((error: unknown, _req: Request, res: express.Response, next: (error: unknown) => void) => {
    const retry = error instanceof LatheError ? error.details?.retryAfterSeconds : undefined;
    if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
    next(error);
  });
  app.use(problemHandler(deps.logger, { classify: registryUnavailable }));
  return app;
}
