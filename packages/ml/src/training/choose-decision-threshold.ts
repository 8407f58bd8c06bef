/**
 * Sets a binary classifier's decision threshold after training, for families with a
 * `decisionThreshold` hyperparameter: a number is used as given; `auto` keeps 0.5 on a balanced
 * target and, on an imbalanced one, picks the F1-optimal threshold on the validation split with
 * the kept weights (see decision-threshold.ts for why).
 */
import type { BundleFiles } from '../bundle/bundle-format.ts';
import type { FamilyDefinition, Preprocessing } from '../families/types.ts';
import type { Hyperparameters } from '../hyperparameters.ts';
import { IMBALANCE_SHARE, f1OptimalThreshold, minorityShare } from './decision-threshold.ts';
import type { DecisionThresholdChoice } from './training-outcome.ts';

const BATCH = 512;

export async function chooseDecisionThreshold(input: {
  family: FamilyDefinition;
  hp: Hyperparameters;
  prep: Preprocessing;
  files: BundleFiles;
  validationRows: (() => AsyncIterable<unknown>) | undefined;
}): Promise<DecisionThresholdChoice | null> {
  const setting = (input.hp as { decisionThreshold?: 'auto' | number }).decisionThreshold;
  const labels = input.prep.labels as string[] | undefined;
  if (setting === undefined || labels?.length !== 2) return null;
  if (typeof setting === 'number')
    return {
      value: setting,
      chosenOn: 'hyperparameter',
      reason: `decisionThreshold ${setting} as configured`,
    };
  const balanced: DecisionThresholdChoice = {
    value: 0.5,
    chosenOn: 'default',
    reason: 'the target is balanced enough: class 1 when its probability is over 0.5',
  };
  if (input.validationRows === undefined) return balanced;

  const predictor = await input.family.load(input.files, input.prep, input.hp);
  const yTrue: number[] = [];
  const scores: number[] = [];
  try {
    let batch: unknown[] = [];
    const flush = async () => {
      const predictions = await predictor.predict(batch);
      predictions.forEach((prediction, i) => {
        const row = batch[i] as { target?: unknown; label?: unknown };
        const truth = labels.indexOf(String(row.target ?? row.label));
        if (truth < 0) return;
        yTrue.push(truth);
        scores.push(prediction.probabilities?.[labels[1]!] ?? 0);
      });
      batch = [];
    };
    for await (const row of input.validationRows()) {
      batch.push(row);
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    predictor.dispose();
  }
  const share = minorityShare(yTrue);
  if (share >= IMBALANCE_SHARE) return balanced;
  const best = f1OptimalThreshold(yTrue, scores);
  if (best === null) return balanced;
  return {
    value: best.threshold,
    chosenOn: 'validation',
    reason:
      `the rarer class is ${(share * 100).toFixed(1)}% of the validation split: class ${labels[1]} when its ` +
      `probability is over ${best.threshold.toPrecision(3)}, the threshold with the best F1 (${best.f1.toFixed(3)}) ` +
      `on ${yTrue.length} validation rows`,
  };
}
