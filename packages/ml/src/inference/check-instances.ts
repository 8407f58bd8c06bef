/**
 * What is wrong with instances sent to a loaded model, before it sees them. Families are
 * forgiving by design (an unknown user falls back to popularity, a missing feature is imputed),
 * so a malformed request would otherwise be answered with a confident guess: a string where
 * a number belongs, an image of the wrong size, no text at all. The checks follow the model's
 * own signature and preprocessing: the columns it was trained on (all of them, no others), the
 * image shape it expects.
 */
import type { ImageShape } from '@lathe/contract';
import type { LoadedModel } from './load-model.ts';

export interface InstanceProblem {
  /** Index of the instance in the request. */
  index: number;
  /** Path inside the instance (`features.tenure`, `pixels`). */
  path: string;
  message: string;
}

type Check = (
  instance: Record<string, unknown>,
  model: Pick<LoadedModel, 'signature' | 'preprocessing'>,
) => Array<Omit<InstanceProblem, 'index'>>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const tabular: Check = (instance, model) => {
  if (!isObject(instance.features))
    return [{ path: 'features', message: 'expected an object of feature values' }];
  const features = instance.features;
  const problems: Array<Omit<InstanceProblem, 'index'>> = [];
  // Every column the model was trained on, and no other: a misspelt column would otherwise be
  // ignored and the real one imputed, a confident answer to a question nobody asked. A missing
  // value is sent as null (imputed, as in training).
  const columns = new Set(model.signature.inputs.map((input) => input.name));
  for (const name of Object.keys(features)) {
    if (!columns.has(name))
      problems.push({
        path: `features.${name}`,
        message: `unknown feature column \`${name}\`; the model reads ${[...columns].map((c) => `\`${c}\``).join(', ')}`,
      });
  }
  for (const input of model.signature.inputs) {
    const value = features[input.name];
    if (value === undefined) {
      problems.push({
        path: `features.${input.name}`,
        message: `missing feature column \`${input.name}\` (send null for a missing value)`,
      });
      continue;
    }
    if (value === null) continue; // a missing value: imputed, as in training
    // The signature's type lists what a column takes: `number | null`, `string | null`, or both
    // for integer-coded categories.
    const accepts = input.type.split('|').map((t) => t.trim());
    const number = accepts.includes('number');
    const string = accepts.includes('string');
    const ok =
      (number && typeof value === 'number' && Number.isFinite(value)) ||
      (string && typeof value === 'string');
    if (!ok) {
      const expected =
        number && string ? 'a string or a finite number' : number ? 'a finite number' : 'a string';
      problems.push({
        path: `features.${input.name}`,
        message: `expected ${expected} (or null); got ${JSON.stringify(value)}`,
      });
    }
  }
  return problems;
};

const text: Check = (instance) =>
  typeof instance.text === 'string' ? [] : [{ path: 'text', message: 'expected a string' }];

const image: Check = (instance, model) => {
  const shape = model.preprocessing.shape as ImageShape | undefined;
  const size = shape ? shape.height * shape.width * shape.channels : undefined;
  const { pixels } = instance;
  if (!Array.isArray(pixels))
    return [
      {
        path: 'pixels',
        message: `expected an array of ${size !== undefined ? `${size} ` : ''}byte values (0–255, row-major)`,
      },
    ];
  if (size !== undefined && pixels.length !== size) {
    return [
      {
        path: 'pixels',
        message: `expected ${size} values (${shape!.height}×${shape!.width}×${shape!.channels}); got ${pixels.length}`,
      },
    ];
  }
  const bad = pixels.findIndex((v) => typeof v !== 'number' || !(v >= 0 && v <= 255));
  return bad === -1
    ? []
    : [
        {
          path: `pixels.${bad}`,
          message: `expected a value from 0 to 255; got ${JSON.stringify(pixels[bad])}`,
        },
      ];
};

const recommendation: Check = (instance) =>
  (['user', 'item'] as const)
    .filter((key) => typeof instance[key] !== 'string' && typeof instance[key] !== 'number')
    .map((key) => ({ path: key, message: `expected the ${key} id (a string)` }));

const checks: Record<string, Check> = { tabular, nlp: text, image, generative: image, recommendation };

/** Problems of the instances for this model, at most `limit` of them; [] when they all fit. */
export function checkInstances(
  model: Pick<LoadedModel, 'signature' | 'preprocessing'>,
  instances: readonly unknown[],
  limit = 20,
): InstanceProblem[] {
  const check = checks[model.signature.useCase];
  const problems: InstanceProblem[] = [];
  for (let index = 0; index < instances.length && problems.length < limit; index++) {
    const instance = instances[index];
    if (!isObject(instance)) {
      problems.push({ index, path: '', message: 'expected an object' });
      continue;
    }
    for (const problem of check?.(instance, model) ?? []) problems.push({ index, ...problem });
  }
  return problems.slice(0, limit);
}
