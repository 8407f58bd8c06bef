/** The OpenAPI 3.1 document, generated from the zod schemas the routes validate with. */
import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { RouteTable } from './route-table.ts';

export function buildOpenApiDocument(routes: RouteTable): unknown {
  const generator = new OpenApiGeneratorV31(routes.openapi.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Lathe admin API',
      version: '0.1.0',
      description:
        'Datasets, experiments, schedules, runs, model versions and aliases, evaluations, deployments, A/B tests, queues, API keys and the audit log. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: '/' }],
  });
}
