/**
 * The trials of a hyperparameter sweep, as Katib and Optuna define them, kept simple:
 *   - grid: every combination of the listed values (the Cartesian product, in the order given);
 *   - random: `trials` draws, seeded, each parameter from its list (uniform choice) or range
 *     (uniform, or log-uniform with `log: true`, as Bergstra & Bengio 2012 recommend for
 *     learning rates; `integer: true` rounds).
 * Each trial is a partial hyperparameter object laid over the experiment's own.
 */
import { z } from 'zod';
import { ValidationError } from '@lathe/core';
import { seededRandom } from '../random.ts';

const value = z.union([z.number(), z.string(), z.boolean(), z.array(z.number()), z.null()]);
const range = z.strictObject({
  min: z.number(),
  max: z.number(),
  log: z.boolean().default(false).describe('draw log-uniformly (min > 0)'),
  integer: z.boolean().default(false).describe('round each draw to an integer'),
});

export const sweepSpaceSchema = z.discriminatedUnion('strategy', [
  z.strictObject({
    strategy: z.literal('grid'),
    parameters: z
      .record(z.string(), z.array(value).min(1))
      .describe('each hyperparameter with the values to try; every combination is a trial'),
  }),
  z.strictObject({
    strategy: z.literal('random'),
    parameters: z
      .record(z.string(), z.union([z.array(value).min(1), range]))
      .describe('each hyperparameter with values to choose from or a {min, max, log, integer} range'),
    trials: z.number().int().min(1).max(200).describe('how many trials to draw'),
    seed: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('the seed of the draws: the same seed, the same trials'),
  }),
]);
export type SweepSpace = z.input<typeof sweepSpaceSchema>;
export type Trial = Record<string, unknown>;

/** At most this many trials per sweep: each one is a training run. */
export const MAX_TRIALS = 200;

export function sweepTrials(input: SweepSpace): Trial[] {
  const parsed = sweepSpaceSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${['sweep', ...i.path.map(String)].join('.')}: ${i.message}`,
    );
    throw new ValidationError(issues.join('; '), { issues }, 'invalid_sweep');
  }
  const space = parsed.data;
  const names = Object.keys(space.parameters);
  if (names.length === 0)
    throw new ValidationError(
      'sweep: name at least one hyperparameter to vary',
      { field: 'parameters' },
      'invalid_sweep',
    );
  if (space.strategy === 'grid') {
    const size = names.reduce((n, name) => n * space.parameters[name]!.length, 1);
    if (size > MAX_TRIALS)
      throw new ValidationError(
        `sweep: the grid has ${size} combinations; at most ${MAX_TRIALS} (use strategy random with trials)`,
        { field: 'parameters', size },
        'invalid_sweep',
      );
    let trials: Trial[] = [{}];
    for (const name of names)
      trials = trials.flatMap((t) => space.parameters[name]!.map((v) => ({ ...t, [name]: v })));
    return trials;
  }
  for (const name of names) {
    const p = space.parameters[name]!;
    if (!Array.isArray(p) && (p.max < p.min || (p.log && p.min <= 0)))
      throw new ValidationError(
        `sweep: parameters.${name} needs min ≤ max${p.log ? ' and min > 0 for a log range' : ''}`,
        { field: `parameters.${name}` },
        'invalid_sweep',
      );
  }
  const random = seededRandom(space.seed);
  return Array.from({ length: space.trials }, () => {
    const trial: Trial = {};
    for (const name of names) {
      const p = space.parameters[name]!;
      if (Array.isArray(p)) trial[name] = p[Math.min(p.length - 1, Math.floor(random() * p.length))];
      else {
        const u = random();
        const x = p.log
          ? Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min)))
          : p.min + u * (p.max - p.min);
        trial[name] = p.integer ? Math.round(x) : x;
      }
    }
    return trial;
  });
}
