/** Evaluations: list, get, compare two, and override a gate verdict (with a reason, audited). */
import {
  compareEvaluationsQuery,
  evaluationComparisonSchema,
  evaluationSchema,
  idParams,
  listEvaluationsQuery,
  overrideVerdictBody,
  pageOf,
} from '@lathe/contract';
import { HttpProblem } from '@lathe/core';
import { overrideVerdict, type GateVerdict } from '@lathe/ml';
import { getEvaluation, overrideFailedVerdict } from '@lathe/registry';
import { audit } from '../audit.ts';
import { compareMetrics } from '../compare-metrics.ts';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate } from '../pagination.ts';

export function registerEvaluationRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;
  const find = (id: string) => getEvaluation(registry, id);

  routes.add({
    method: 'get',
    path: '/evaluations',
    summary: 'List evaluations',
    tag: 'evaluations',
    query: listEvaluationsQuery,
    response: pageOf(evaluationSchema),
    handler: async ({ query }) =>
      paginate(query, (page) =>
        registry.evaluation.findMany({
          where: {
            ...(query.modelVersionId ? { modelVersionId: query.modelVersionId } : {}),
            ...(query.runId ? { runId: query.runId } : {}),
            ...(query.datasetVersionId ? { datasetVersionId: query.datasetVersionId } : {}),
            ...(query.verdict ? { verdict: query.verdict } : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          ...page,
        }),
      ),
  });

  routes.add({
    method: 'get',
    path: '/evaluations/compare',
    summary: 'Compare two evaluations metric by metric (b − a)',
    tag: 'evaluations',
    query: compareEvaluationsQuery,
    response: evaluationComparisonSchema,
    handler: async ({ query }) => {
      const [a, b] = await Promise.all([find(query.a), find(query.b)]);
      return {
        a,
        b,
        sameData: a.datasetVersionId === b.datasetVersionId && a.split === b.split,
        metrics: compareMetrics(a.metrics, b.metrics),
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/evaluations/:id',
    summary: 'Get an evaluation',
    tag: 'evaluations',
    params: idParams,
    response: evaluationSchema,
    handler: async ({ params }) => find(params.id),
  });

  routes.add({
    method: 'post',
    path: '/evaluations/:id/override',
    summary: 'Override a failed gate verdict (the reason is recorded and audited)',
    tag: 'evaluations',
    role: 'admin',
    params: idParams,
    body: overrideVerdictBody,
    response: evaluationSchema,
    handler: async ({ req, params, body }) => {
      const before = await find(params.id);
      // @lathe/ml owns the rule (a reason, an actor, only a failed verdict); 409 otherwise.
      const override = overrideVerdict(
        { id: before.id, verdict: before.verdict as GateVerdict },
        { reason: body.reason, actor: req.apiKey?.id ?? 'anonymous' },
      );
      // Conditional on the verdict read above: of two concurrent overrides, one wins.
      const applied = await overrideFailedVerdict(registry, params.id, {
        verdict: override.verdict,
        overrideReason: override.overrideReason,
        overriddenBy: override.overriddenBy,
        overriddenAt: override.overriddenAt,
      });
      if (!applied)
        throw new HttpProblem(409, 'verdict_not_failed', `evaluation ${params.id} was overridden meanwhile`);
      const after = await find(params.id);
      await audit(registry, req, {
        action: override.audit.action,
        entity: 'evaluation',
        entityId: params.id,
        before,
        after,
      });
      return after;
    },
  });
}
