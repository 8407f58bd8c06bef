/** `lathe experiment create|list`. */
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.ts';
import { resolveDatasetId } from '../resolve.ts';
import { formatTable } from '../table.ts';
import { CliError, type CliIo } from '../io.ts';

function parseJsonOption(name: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new CliError(`--${name} is not valid JSON: ${(error as Error).message}`);
  }
}

export function registerExperimentCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  const experiment = program
    .command('experiment')
    .description('experiments: what to train and how to judge it');
  experiment
    .command('create')
    .requiredOption('--name <name>')
    .requiredOption('--dataset <dataset>', 'dataset name or id')
    .requiredOption('--use-case <useCase>')
    .requiredOption('--family <family>', 'model family, e.g. mf, ncf, cnn, lstm, mlp')
    .option('--hyperparameters <json>', 'e.g. \'{"epochs": 5}\'')
    .option('--gate <json>', 'e.g. \'[{"metric": "rmse", "max": 1.0}]\'')
    .option('--rollout <json>', 'rollout policy, e.g. \'{"steps": [0.1, 0.5]}\'')
    .option('--description <text>')
    .description('create an experiment')
    .action(
      async (options: {
        name: string;
        dataset: string;
        useCase: string;
        family: string;
        hyperparameters?: string;
        gate?: string;
        rollout?: string;
        description?: string;
      }) => {
        const api = client();
        const datasetId = await resolveDatasetId(api, options.dataset);
        const body = {
          name: options.name,
          useCase: options.useCase,
          modelFamily: options.family,
          datasetId,
          ...(options.description ? { description: options.description } : {}),
          ...(options.hyperparameters
            ? { hyperparameters: parseJsonOption('hyperparameters', options.hyperparameters) }
            : {}),
          ...(options.gate ? { gate: parseJsonOption('gate', options.gate) } : {}),
          ...(options.rollout ? { rolloutPolicy: parseJsonOption('rollout', options.rollout) } : {}),
        };
        const { body: created } = await api.json<{ id: string; name: string; revision: number }>(
          'POST',
          '/experiments',
          body,
        );
        io.stdout.write(`created experiment ${created.name} (${created.id})\n`);
      },
    );
  experiment
    .command('list')
    .description('list experiments')
    .action(async () => {
      const { body } = await client().json<{
        items: Array<{ id: string; name: string; useCase: string; modelFamily: string; revision: number }>;
      }>('GET', '/experiments?limit=500');
      io.stdout.write(
        formatTable(
          ['name', 'use case', 'family', 'rev', 'id'],
          body.items.map((e) => [e.name, e.useCase, e.modelFamily, e.revision, e.id]),
        ),
      );
    });
}
