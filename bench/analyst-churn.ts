/**
 * The tabular family on the committed analyst sample (test/fixtures/analyst/customers.csv:
 * 1,000 customers, label CHURNED ~11% positives, integer-coded SEGMENT and REGION): ingested as
 * the product ingests it (target CHURNED, SEGMENT/REGION categorical, CUSTOMER_ID an id, AGE kept,
 * stratified seeded split), trained with `mlp` defaults, evaluated on the test split with the
 * evaluate stage's metrics. Prints AUC, top-decile capture and lift, the kept epoch and the
 * decision threshold.
 *   pnpm exec tsx bench/analyst-churn.ts                     defaults
 *   pnpm exec tsx bench/analyst-churn.ts --hp='{"l2":0.001}'  overrides
 *   pnpm exec tsx bench/analyst-churn.ts --grid              a small grid ranked on validation loss
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalArtifactStore } from '../packages/artifacts/src/index.ts';
import { createDatasetAccess, ingestToArtifacts } from '../packages/data/src/index.ts';
import { evaluateClassification, loadModel, selectBackend, train } from '../packages/ml/src/index.ts';

const customers = fileURLToPath(new URL('../test/fixtures/analyst/customers.csv', import.meta.url));
const hpArg = process.argv.find((a) => a.startsWith('--hp='));
const overrides = hpArg ? (JSON.parse(hpArg.slice(5)) as Record<string, unknown>) : {};

await selectBackend({ prefer: 'wasm' });
const dir = await mkdtemp(join(tmpdir(), 'lathe-analyst-'));
try {
  const store = new LocalArtifactStore(join(dir, 'store'));
  const ingested = await ingestToArtifacts(
    {
      useCase: 'tabular',
      source: { kind: 'stream', stream: createReadStream(customers), format: 'csv', name: 'customers.csv' },
      columnMap: { target: 'CHURNED' },
      columnTypes: { SEGMENT: 'categorical', REGION: 'categorical', CUSTOMER_ID: 'id' },
      split: { strategy: 'stratified' },
    },
    { store },
  );
  const dataset = await createDatasetAccess(store).open(ingested);

  async function fit(hyperparameters: Record<string, unknown>) {
    const result = await train({
      family: 'mlp',
      hyperparameters,
      seed: 7,
      dataset: dataset.metadata,
      trainRows: () => dataset.rows('train'),
      validationRows: () => dataset.rows('validation'),
    });
    const model = await loadModel(result.buffer);
    const labels = model.signature.labels!;
    const rows: unknown[] = [];
    for await (const row of dataset.rows('test')) rows.push(row);
    const predictions = await model.predict(rows);
    model.dispose();
    const yTrue = rows.map((r) => labels.indexOf(String((r as { target: unknown }).target)));
    const scores = predictions.map((p) => p.probabilities![labels[1]!]!);
    const summary = evaluateClassification(
      { numClasses: 2, yTrue, scores },
      { classNames: labels, threshold: model.signature.decisionThreshold ?? 0.5 },
    );
    return { result, summary };
  }

  const report = (name: string, fitted: Awaited<ReturnType<typeof fit>>) => {
    const m = fitted.summary.metrics;
    const o = fitted.result.outcome;
    console.log(
      `${name}: test AUC ${m.auc!.toFixed(3)}, top-decile capture ${m.captureTop10!.toFixed(3)} lift ${m.liftTop10!.toFixed(2)}, ` +
        `logLoss ${m.logLoss!.toFixed(3)}, accuracy ${m.accuracy!.toFixed(3)}, f1 ${m.f1!.toFixed(3)}; ` +
        `kept epoch ${o.keptEpoch}/${o.epochsRun} (${o.monitor} ${o.monitorValue?.toFixed(4)}), ` +
        `threshold ${o.decisionThreshold?.value.toFixed(3)} (${o.decisionThreshold?.chosenOn}), ` +
        `overfitting ${o.overfitting ? `epochs ${o.overfitting.fromEpoch}-${o.overfitting.toEpoch}` : 'no'}`,
    );
  };

  console.log(
    `customers.csv: ${ingested.rows} rows; split train ${dataset.counts.train} / validation ${dataset.counts.validation} / test ${dataset.counts.test}`,
  );
  report(`defaults${hpArg ? ` + ${hpArg.slice(5)}` : ''}`, await fit(overrides));

  if (process.argv.includes('--grid')) {
    // Ranked on the kept epoch's validation loss only: the test split is read for the winner's report.
    const grid: Record<string, unknown>[] = [];
    for (const hiddenUnits of [[16], [64, 32]])
      for (const l2 of [0, 0.01])
        for (const learningRate of [0.001, 0.003]) grid.push({ hiddenUnits, l2, learningRate });
    let best: {
      hp: Record<string, unknown>;
      valLoss: number;
      fitted: Awaited<ReturnType<typeof fit>>;
    } | null = null;
    for (const hp of grid) {
      const fitted = await fit(hp);
      const valLoss = fitted.result.outcome.monitorValue!;
      console.log(`  ${JSON.stringify(hp)}: kept valLoss ${valLoss.toFixed(4)}`);
      if (best === null || valLoss < best.valLoss) best = { hp, valLoss, fitted };
    }
    report(`best of ${grid.length} by validation loss ${JSON.stringify(best!.hp)}`, best!.fitted);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
