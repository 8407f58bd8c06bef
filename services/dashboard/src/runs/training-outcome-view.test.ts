import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { TrainingOutcome } from '@lathe/contract';
import { TrainingOutcomeView } from './training-outcome-view.tsx';

const render = (outcome: TrainingOutcome) =>
  renderToStaticMarkup(createElement(TrainingOutcomeView, { outcome })).replace(/<[^>]+>/g, ' ');

const kept: TrainingOutcome = {
  keptEpoch: 4,
  epochsRun: 12,
  monitor: 'valLoss',
  monitorValue: 0.21,
  reason:
    'epoch 4 of 12 had the best valLoss (0.2100): its weights were restored from the snapshot of that epoch',
  overfitting: null,
};

describe('the run page’s training outcome', () => {
  it('says which epoch was kept and why, without an overfitting warning when there is none', () => {
    const text = render(kept);
    expect(text).toContain('epoch 4 of 12');
    expect(text).toContain('its weights were restored');
    expect(text).not.toContain('overfitting');
  });

  it('warns about overfitting and shows a moved decision threshold', () => {
    const text = render({
      ...kept,
      overfitting: {
        fromEpoch: 6,
        toEpoch: 12,
        epochs: 7,
        message: 'overfitting: validation loss rose for 7 epochs',
      },
      decisionThreshold: {
        value: 0.18,
        chosenOn: 'validation',
        reason: 'class 1 when its probability is over 0.180',
      },
    });
    expect(text).toContain('overfitting: validation loss rose for 7 epochs');
    expect(text).toContain('class 1 when its probability is over 0.180');
  });
});
