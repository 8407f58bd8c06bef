/**
 * What a training run ended with (Run.trainingOutcome): the train stage writes it, the API
 * returns it on the run and the dashboard's run page shows it.
 */
import { z } from 'zod';

export const overfittingSignalSchema = z
  .object({
    fromEpoch: z
      .number()
      .int()
      .describe('first epoch of the streak in which validation loss rose while training loss fell'),
    toEpoch: z.number().int().describe('last epoch of that streak'),
    epochs: z.number().int().describe('epochs in the streak'),
    message: z.string().describe('the flag in words, with what to try'),
  })
  .meta({ id: 'OverfittingSignal' });

export const decisionThresholdChoiceSchema = z
  .object({
    value: z.number().describe('binary models: class 1 is predicted when its probability is over this'),
    chosenOn: z
      .enum(['default', 'hyperparameter', 'validation'])
      .describe('default: 0.5 on a balanced target; validation: F1-optimal on the validation split'),
    reason: z.string().describe('why this threshold, in words'),
  })
  .meta({ id: 'DecisionThresholdChoice' });

export const trainingOutcomeSchema = z
  .object({
    keptEpoch: z.number().int().describe('the epoch whose weights are in the model version'),
    epochsRun: z.number().int().describe('epochs trained'),
    monitor: z
      .string()
      .nullable()
      .describe('the validation metric the kept epoch was chosen on; null without validation'),
    monitorValue: z.number().nullable().describe("that metric's value at the kept epoch"),
    reason: z.string().describe('which weights were kept and why, in words'),
    overfitting: overfittingSignalSchema.nullable().describe('set when the run overfitted'),
    decisionThreshold: decisionThresholdChoiceSchema
      .optional()
      .describe('binary classifiers with a decisionThreshold hyperparameter'),
  })
  .meta({ id: 'TrainingOutcome' });

export type OverfittingSignal = z.infer<typeof overfittingSignalSchema>;
export type DecisionThresholdChoice = z.infer<typeof decisionThresholdChoiceSchema>;
export type TrainingOutcome = z.infer<typeof trainingOutcomeSchema>;
