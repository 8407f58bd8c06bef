/**
 * createApp builds the Express app from injected dependencies: main.ts passes real
 * connections, tests pass theirs. Order matters: request id → trace span → security headers and
 * CORS → metrics → rate limit → routes (each with its own auth, role and validation) → 404 →
 * problem.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import express, { type Express } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import swaggerUi from 'swagger-ui-express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { authenticate, requireRole } from './auth/authenticate.ts';
import type { ApiDeps } from './deps.ts';
import { jsonReplacer } from './json.ts';
import { HttpProblem, createHttpMetrics, createHttpTracing, problemHandler } from '@lathe/core';
import { registryUnavailable } from '@lathe/registry';
import { RouteTable } from './openapi/route-table.ts';
import { buildOpenApiDocument } from './openapi/document.ts';
import { createRateLimiter } from './rate-limit.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerDatasetRoutes } from './routes/datasets.ts';
import { registerPrivacyBudgetRoutes } from './routes/privacy-budget.ts';
import { registerExperimentRoutes } from './routes/experiments.ts';
import { registerScheduleRoutes } from './routes/schedules.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerModelRoutes } from './routes/models.ts';
import { registerScoringRoutes } from './routes/scoring.ts';
import { registerSweepRoutes } from './routes/sweeps.ts';
import { registerModelFamilyRoutes } from './routes/model-families.ts';
import { registerEvaluationRoutes } from './routes/evaluations.ts';
import { registerDeploymentRoutes } from './routes/deployments.ts';
import { registerAbTestRoutes } from './routes/ab-tests.ts';
import { registerEndpointRoutes } from './routes/endpoints.ts';
import { registerQueueRoutes } from './routes/queues.ts';
import { registerApiKeyRoutes } from './routes/api-keys.ts';
import { registerAuditLogRoutes } from './routes/audit-log.ts';

export interface LatheApp {
  app: Express;
  routes: RouteTable;
  openApiDocument: () => unknown;
}

export function createApp(deps: ApiDeps): LatheApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('json replacer', jsonReplacer);
  app.set('query parser', 'simple');
  app.set('trust proxy', false);

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    req.requestId = incoming && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', req.requestId);
    next();
  });
  // A server span per request (a no-op unless main.ts started tracing): docs/operations.md.
  const tracing = createHttpTracing('api');
  app.use(tracing.middleware);
  app.use(helmet());
  // An allow-list of one: other origins get no Access-Control-Allow-Origin at all.
  app.use(
    cors({
      origin: deps.config.dashboardOrigin ? [deps.config.dashboardOrigin] : false,
      exposedHeaders: ['ETag', 'X-Request-Id', 'Location'],
    }),
  );
  const metrics = createHttpMetrics('api');
  app.use(metrics.middleware);
  app.use(createRateLimiter(deps.redis, deps.config));
  // JSON bodies only where a route expects one; uploads stream their body themselves.
  app.use(
    express.json({
      limit: deps.config.jsonLimitBytes,
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );

  const routes = new RouteTable();
  registerHealthRoutes(routes, deps, metrics.registry);
  registerDatasetRoutes(routes, deps);
  registerPrivacyBudgetRoutes(routes, deps);
  registerExperimentRoutes(routes, deps);
  registerScheduleRoutes(routes, deps);
  registerRunRoutes(routes, deps);
  registerModelRoutes(routes, deps);
  registerScoringRoutes(routes, deps);
  registerSweepRoutes(routes, deps);
  registerModelFamilyRoutes(routes);
  registerEvaluationRoutes(routes, deps);
  registerDeploymentRoutes(routes, deps);
  registerAbTestRoutes(routes, deps);
  registerEndpointRoutes(routes, deps);
  registerQueueRoutes(routes, deps);
  registerApiKeyRoutes(routes, deps);
  registerAuditLogRoutes(routes, deps);

  let document: unknown;
  const openApiDocument = () => (document ??= buildOpenApiDocument(routes));
  routes.add({
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    tag: 'meta',
    role: 'public',
    handler: async () => openApiDocument(),
  });

  const auth = authenticate(deps.registry);
  routes.mount(app, auth);

  app.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' } }));

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    queues: Object.values(deps.pipeline.queues).map(
      (queue) => new BullMQAdapter(queue, { readOnlyMode: false }),
    ),
    serverAdapter: board,
  });
  app.use(
    '/admin/queues',
    authenticate(deps.registry, { basicRealm: 'lathe' }),
    requireRole('admin'),
    board.getRouter(),
  );

  if (deps.config.dashboardDir && existsSync(deps.config.dashboardDir)) {
    app.use(express.static(deps.config.dashboardDir, { index: 'index.html' }));
  }

  app.use((req) => {
    throw new HttpProblem(
      404,
      'route_not_found',
      `no route ${req.method} ${req.path}; see /openapi.json for the routes`,
    );
  });
  app.use(problemHandler(deps.logger, { classify: registryUnavailable }));
  return { app, routes, openApiDocument };
}
