import { HttpProblem, LatheError, type FieldError } from '@lathe/core';

/**
 * Hyperparameter validation per model family. @lathe/ml owns the zod schema of each family
 * (`parseHyperparameters(family, input)`); the API receives it as a function so that it keeps
 * no copy of those rules. Its errors (ValidationError with field details) pass through.
 */
export type HyperparameterValidator = (modelFamily: string, input: unknown) => Record<string, unknown>;

/** Used when no validator is injected: only checks that hyperparameters are a JSON object. */
export const acceptAnyHyperparameters: HyperparameterValidator = (_family, input) =>
  input as Record<string, unknown>;

/**
 * The validator as the API answers it: @lathe/ml's field errors become 422 problems naming the
 * request field (`<prefix>hyperparameters.learningRate`), an unknown family `body.modelFamily`.
 */
export function hyperparameterChecker(
  validate: HyperparameterValidator,
  prefix: string,
): (family: string, input: unknown) => Record<string, unknown> {
  return (family, input) => {
    try {
      return validate(family, input);
    } catch (error) {
      if (error instanceof LatheError && error.httpStatus === 422) {
        const issues = (error.details?.issues as FieldError[] | undefined) ?? [];
        const errors = issues.length
          ? issues.map((i) => ({ field: `${prefix}${i.field}`, message: i.message }))
          : [
              {
                field:
                  error.code === 'unknown_model_family' ? 'body.modelFamily' : `${prefix}hyperparameters`,
                message: error.message,
              },
            ];
        throw new HttpProblem(422, error.code, error.message, errors);
      }
      throw error;
    }
  };
}
