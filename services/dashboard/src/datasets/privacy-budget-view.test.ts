import { describe, expect, it } from 'vitest';
import { privacyBudgetView } from './privacy-budget-view.ts';

describe('privacyBudgetView', () => {
  it('shows the share spent and each perturbed version with its mechanisms', () => {
    const view = privacyBudgetView({
      datasetId: 'd1',
      budget: 5,
      spent: 3,
      remaining: 2,
      entries: [
        {
          id: 'e1',
          kind: 'perturbed_version',
          epsilon: 3,
          datasetVersionId: 'v1',
          detail: {
            epsilon: 3,
            columns: {
              age: { mechanism: 'laplace', epsilon: 1 },
              region: { mechanism: 'randomised-response', epsilon: 2 },
            },
          },
          createdAt: '2026-12-04T21:00:00.000Z',
        },
      ],
    });
    expect(view).toMatchObject({ budget: 5, spent: 3, remaining: 2, used: 0.6 });
    expect(view!.rows[0]).toMatchObject({
      datasetVersionId: 'v1',
      columns: 'age: laplace ε=1 · region: randomised-response ε=2',
    });
  });

  it('is null for a dataset that was never perturbed', () => {
    expect(
      privacyBudgetView({ datasetId: 'd', budget: null, spent: 0, remaining: null, entries: [] }),
    ).toBeNull();
    expect(privacyBudgetView(null)).toBeNull();
  });
});
