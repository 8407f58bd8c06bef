import { describe, expect, it } from 'vitest';
import { f1OptimalThreshold, minorityShare } from './decision-threshold.ts';
import { describeOutcome, detectOverfitting, keptWeightsMonitor } from './training-outcome.ts';

const epochs = (loss: number[], valLoss: number[]) => loss.map((l, i) => ({ loss: l, valLoss: valLoss[i]! }));

describe('overfitting flag', () => {
  it('flags three epochs in a row of validation loss rising while training loss falls', () => {
    const signal = detectOverfitting(epochs([1, 0.9, 0.8, 0.7, 0.6], [1, 0.8, 0.9, 1.0, 1.1]));
    expect(signal).toMatchObject({ fromEpoch: 3, toEpoch: 5, epochs: 3 });
    expect(signal!.message).toContain(
      'validation loss rose for 3 epochs in a row (epochs 3–5, 0.800 → 1.10)',
    );
  });

  it('does not flag two rising epochs, nor validation loss rising with training loss', () => {
    expect(detectOverfitting(epochs([1, 0.9, 0.8, 0.7, 0.6], [1, 0.8, 0.9, 1.0, 0.9]))).toBeNull();
    expect(detectOverfitting(epochs([1, 1.1, 1.2, 1.3, 1.4], [1, 1.1, 1.2, 1.3, 1.4]))).toBeNull();
    expect(detectOverfitting([{ loss: 1 }, { loss: 0.5 }, { loss: 0.2 }, { loss: 0.1 }])).toBeNull();
  });
});

describe('kept weights', () => {
  it('monitors early stopping’s metric, else validation loss, and nothing without validation', () => {
    expect(keptWeightsMonitor(null, { loss: 1, valLoss: 2 })).toBe('valLoss');
    expect(keptWeightsMonitor({ metric: 'valAccuracy' }, { valAccuracy: 0.5 })).toBe('valAccuracy');
    expect(keptWeightsMonitor(null, { loss: 1 })).toBeNull();
    // A recommender's validation loss is on sampled negatives: it keeps its last epoch by default.
    expect(keptWeightsMonitor(null, { loss: 1, valLoss: 2 }, 'recommendation')).toBeNull();
    expect(keptWeightsMonitor({ metric: 'valLoss' }, { valLoss: 2 }, 'recommendation')).toBe('valLoss');
    expect(keptWeightsMonitor(null, { valLoss: 2 }, 'tabular')).toBe('valLoss');
  });

  it('says which epoch was kept and that its weights were restored', () => {
    const outcome = describeOutcome({
      history: epochs([1, 0.9, 0.8], [1, 0.7, 0.75]),
      monitor: 'valLoss',
      kept: { best: 0.7, bestEpoch: 2, wait: 1 },
      stoppedEarly: false,
    });
    expect(outcome).toMatchObject({ keptEpoch: 2, epochsRun: 3, monitor: 'valLoss', monitorValue: 0.7 });
    expect(outcome.reason).toBe(
      'epoch 2 of 3 had the best valLoss (0.7000): its weights were restored from the snapshot of that epoch',
    );
    const last = describeOutcome({
      history: [{ loss: 1 }],
      monitor: null,
      kept: { best: null, bestEpoch: null, wait: 0 },
      stoppedEarly: false,
    });
    expect(last).toMatchObject({ keptEpoch: 1, monitor: null });
  });
});

describe('decision threshold of an imbalanced target', () => {
  it('is the cut between distinct scores with the best F1 of class 1', () => {
    // Hand count: flagging the top 3 (0.9, 0.8, 0.7) catches 2 of 3 positives: F1 = 4/6.
    const y = [1, 0, 1, 0, 0, 0, 1, 0];
    const p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];
    const best = f1OptimalThreshold(y, p)!;
    expect(best.threshold).toBeCloseTo(0.65, 12);
    expect(best.f1).toBeCloseTo(2 / 3, 12);
  });

  it('never cuts between tied scores and is null without a positive', () => {
    expect(f1OptimalThreshold([1, 0, 0], [0.5, 0.5, 0.1])).toEqual({ threshold: 0.3, f1: 2 / 3 });
    expect(f1OptimalThreshold([0, 0], [0.5, 0.1])).toBeNull();
    expect(minorityShare([1, 0, 0, 0])).toBe(0.25);
  });
});
