/**
 * The promotion gate an experiment declares: thresholds, absolute (`auc ≥ 0.80`) and relative to
 * the model in production (`auc ≥ baseline − 0.01`). The API validates an experiment's gate
 * with these; @lathe/ml applies it in the evaluate stage.
 */
import { z } from 'zod';
import { metricDirection } from './metric-direction.ts';

const metricName = z
  .string()
  .min(1, 'metric name is empty')
  .describe('a metric the evaluate stage computes, e.g. `auc`');

export const absoluteThresholdSchema = z.strictObject({
  metric: metricName,
  op: z.enum(['>=', '<=']).describe('how the metric compares with `value`'),
  value: z.number().finite().describe('the bound'),
});

/** For higher-is-better metrics: candidate ≥ baseline − maxDecrease (relative: − |baseline|·maxDecrease). */
export const maxDecreaseThresholdSchema = z.strictObject({
  metric: metricName,
  maxDecrease: z.number().finite().min(0).describe('how far below production the candidate may be'),
  relative: z.boolean().optional().describe('read maxDecrease as a share of the baseline'),
});

/** For lower-is-better metrics: candidate ≤ baseline + maxIncrease (relative: + |baseline|·maxIncrease). */
export const maxIncreaseThresholdSchema = z.strictObject({
  metric: metricName,
  maxIncrease: z.number().finite().min(0).describe('how far above production the candidate may be'),
  relative: z.boolean().optional().describe('read maxIncrease as a share of the baseline'),
});

export const gateThresholdSchema = z
  .union([absoluteThresholdSchema, maxDecreaseThresholdSchema, maxIncreaseThresholdSchema])
  .superRefine((threshold, ctx) => {
    const direction = metricDirection(threshold.metric);
    if ('maxDecrease' in threshold && direction === 'lower') {
      ctx.addIssue({
        code: 'custom',
        message: `${threshold.metric}: lower is better, so a regression is an increase; use maxIncrease`,
      });
    }
    if ('maxIncrease' in threshold && direction === 'higher') {
      ctx.addIssue({
        code: 'custom',
        message: `${threshold.metric}: higher is better, so a regression is a decrease; use maxDecrease`,
      });
    }
  });

export const gateSchema = z.strictObject({
  thresholds: z.array(gateThresholdSchema).describe('every one must hold'),
});

export type AbsoluteThreshold = z.infer<typeof absoluteThresholdSchema>;
export type MaxDecreaseThreshold = z.infer<typeof maxDecreaseThresholdSchema>;
export type MaxIncreaseThreshold = z.infer<typeof maxIncreaseThresholdSchema>;
export type GateThreshold = z.infer<typeof gateThresholdSchema>;
export type Gate = z.infer<typeof gateSchema>;
