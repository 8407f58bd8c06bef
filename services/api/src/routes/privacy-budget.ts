/** GET /datasets/:id/privacy: the dataset's differential-privacy budget and every spend of it. */
import { idParams, privacyBudgetSchema } from '@lathe/contract';
import { getDataset, privacyBudgetOf } from '@lathe/registry';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';

export function registerPrivacyBudgetRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/datasets/:id/privacy',
    summary: "A dataset's privacy budget (ε), what is spent and left, and the ledger of perturbed versions",
    tag: 'datasets',
    params: idParams,
    response: privacyBudgetSchema,
    handler: async ({ params }) => {
      await getDataset(deps.registry, params.id);
      return privacyBudgetOf(deps.registry, params.id);
    },
  });
}
