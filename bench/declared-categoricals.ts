/**
 * What declaring integer codes categorical buys on the committed customers sample
 * (test/fixtures/analyst/customers.csv, whose churn risk is +2.0 log-odds for SEGMENT codes 3
 * and 9, codes that no order of the numbers brings together): the mlp with its defaults, trained
 * once with SEGMENT and REGION left undeclared (standardised as numbers, the old behaviour) and
 * once declared categorical (one-hot), same split and seed. Prints the test AUC and top-decile
 * lift of each over `seeds` training seeds and the ratio declared / undeclared.
 *   pnpm exec tsx bench/declared-categoricals.ts [seeds=3]
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalArtifactStore } from '../packages/artifacts/src/index.ts';
import type { ColumnTypes } from '../packages/contract/src/index.ts';
import { createDatasetAccess, ingestToArtifacts } from '../packages/data/src/index.ts';
import { evaluateClassification, loadModel, selectBackend, train } from '../packages/ml/src/index.ts';

const customers = fileURLToPath(new URL('../test/fixtures/analyst/customers.csv', import.meta.url));
const seeds = Number(process.argv[2] ?? 3);

await selectBackend({ prefer: 'wasm' });
const dir = await mkdtemp(join(tmpdir(), 'lathe-declared-'));
try {
  const store = new LocalArtifactStore(join(dir, 'store'));

  async function measure(columnTypes: ColumnTypes) {
    const ingested = await ingestToArtifacts(
      {
        useCase: 'tabular',
        source: { kind: 'stream', stream: createReadStream(customers), format: 'csv', name: 'customers.csv' },
        columnMap: { target: 'CHURNED' },
        columnTypes: { CUSTOMER_ID: 'id', ...columnTypes },
        split: { strategy: 'stratified' },
      },
      { store },
    );
    const dataset = await createDatasetAccess(store).open(ingested);
    const test: unknown[] = [];
    for await (const row of dataset.rows('test')) test.push(row);
    const runs: Array<{ auc: number; lift: number }> = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const result = await train({
        family: 'mlp',
        hyperparameters: {},
        seed,
        dataset: dataset.metadata,
        trainRows: () => dataset.rows('train'),
        validationRows: () => dataset.rows('validation'),
      });
      const model = await loadModel(result.buffer);
      const labels = model.signature.labels!;
      const predictions = await model.predict(test);
      model.dispose();
      const { metrics } = evaluateClassification(
        {
          numClasses: 2,
          yTrue: test.map((r) => labels.indexOf(String((r as { target: unknown }).target))),
          scores: predictions.map((p) => p.probabilities![labels[1]!]!),
        },
        { classNames: labels },
      );
      runs.push({ auc: metrics.auc!, lift: metrics.liftTop10! });
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return { auc: mean(runs.map((r) => r.auc)), lift: mean(runs.map((r) => r.lift)), runs };
  }

  const undeclared = await measure({});
  const declared = await measure({ SEGMENT: 'categorical', REGION: 'categorical' });
  const show = (name: string, m: typeof undeclared) =>
    console.log(
      `${name}: mean test AUC ${m.auc.toFixed(3)}, top-decile lift ${m.lift.toFixed(2)} (per seed AUC ${m.runs.map((r) => r.auc.toFixed(3)).join(', ')})`,
    );
  show('SEGMENT, REGION undeclared (standardised numbers)', undeclared);
  show('SEGMENT, REGION declared categorical (one-hot)   ', declared);
  console.log(
    `declared / undeclared: AUC ×${(declared.auc / undeclared.auc).toFixed(3)}, top-decile lift ×${(declared.lift / undeclared.lift).toFixed(3)} over ${seeds} seeds`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
