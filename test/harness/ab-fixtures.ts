/**
 * A/B test fixtures shared by the registry, serving and end-to-end tests: an experiment to hang
 * runs on, small really-trained tabular model versions, and a rollout started from a policy the
 * way the deploy stage starts one (the policy parsed, the test's design derived from it).
 */
import type { LocalArtifactStore } from '@lathe/artifacts';
import { abTestDesign, rolloutPolicySchema } from '@lathe/experiments';
import { train } from '@lathe/ml';
import type { TabularRow } from '@lathe/contract';
import { registerModelVersion, startRollout, type AbTestWithVariants, type Registry } from '@lathe/registry';

/** A tabular dataset and an experiment named `name` (the endpoint of its tests). */
export async function createTabularExperiment(registry: Registry, name: string): Promise<string> {
  const dataset = await registry.dataset.create({ data: { name, useCase: 'tabular' } });
  const experiment = await registry.experiment.create({
    data: {
      name,
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: {},
      datasetId: dataset.id,
      gate: [],
      rolloutPolicy: {},
    },
  });
  return experiment.id;
}

/** One really trained MLP per seed, stored and registered as versions of `modelName`. */
export async function trainTabularVersions(
  registry: Registry,
  store: LocalArtifactStore,
  options: {
    modelName: string;
    rows: TabularRow[];
    seeds: number[];
    hyperparameters: Record<string, unknown>;
  },
): Promise<string[]> {
  const ids: string[] = [];
  for (const seed of options.seeds) {
    const result = await train({
      family: 'mlp',
      hyperparameters: options.hyperparameters,
      seed,
      dataset: { useCase: 'tabular', labels: ['churn', 'stay'] },
      trainRows: async function* () {
        yield* options.rows;
      },
    });
    const stored = await store.put(result.buffer);
    const { modelVersion } = await registerModelVersion(registry, {
      modelName: options.modelName,
      useCase: 'tabular',
      modelFamily: 'mlp',
      artifactUri: stored.uri,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      signature: result.bundle.signature as never,
    });
    ids.push(modelVersion.id);
  }
  return ids;
}

/** A running A/B test of `treatment` against `control` on `endpoint`, started from `policy` as the deploy stage would. */
export async function startPolicyRollout(
  registry: Registry,
  input: {
    name: string;
    endpoint: string;
    experimentId: string;
    policy: Record<string, unknown>;
    control: string;
    treatment: string;
    now?: Date;
  },
): Promise<AbTestWithVariants> {
  const policy = rolloutPolicySchema.parse(input.policy);
  const run = await registry.run.create({ data: { experimentId: input.experimentId, seed: 1 } });
  const { abTest } = await startRollout(registry, {
    name: input.name,
    endpoint: input.endpoint,
    experimentId: input.experimentId,
    runId: run.id,
    salt: `salt-${input.name}`,
    primaryMetric: policy.metric,
    policy: policy as never,
    controlModelVersionId: input.control,
    treatmentModelVersionId: input.treatment,
    ...abTestDesign(policy),
    now: input.now ?? new Date(),
  });
  return abTest;
}
