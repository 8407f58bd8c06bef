/**
 * Hyperparameter validation per model family. @lathe/ml owns the zod schema of each family
 * (`parseHyperparameters(family, input)`); the API receives it as a function so that it keeps
 * no copy of those rules. Its errors (ValidationError with field details) pass through.
 */
export type HyperparameterValidator = (modelFamily: string, input: unknown) => Record<string, unknown>;

/** Used when no validator is injected: only checks that hyperparameters are a JSON object. */
export const acceptAnyHyperparameters: HyperparameterValidator = (_family, input) => input as Record<string, unknown>;
