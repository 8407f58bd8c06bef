/** `lathe experiment create|list`. */
import type { Command } from 'commander';
import type { Experiment, Page } from '@lathe/contract';
import type { ApiClient } from '../api-client.ts';
import { resolveDatasetId } from '../resolve.ts';
import { formatTable } from '../table.ts';
import { ingestSpecFields, withIngestFlags, type IngestFlags } from '../ingest-options.ts';
import { CliError, type CliIo } from '../io.ts';

function parseJsonOption(name: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new CliError(`--${name} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The help's own examples, accepted as written (cli.test.ts creates experiments with them). */
export const GATE_EXAMPLE =
  '[{"metric": "auc", "op": ">=", "value": 0.7}, {"metric": "auc", "maxDecrease": 0.01}]';
export const SOURCE_EXAMPLE =
  '{"kind": "postgres", "connection": "warehouse", "query": "select * from customers"}';

/**
 * `--source`: a JSON source (`{"kind": "postgres", …}`), or a file path or http(s) URL for the
 * ingest workers to read. With ingest flags it becomes a spec: `{source, columnMap, columnTypes, …}`.
 */
function sourceOption(value: string | undefined, flags: IngestFlags): unknown {
  if (value === undefined) {
    if (Object.keys(ingestSpecFields(flags)).length > 0)
      throw new CliError(
        'ingest options (--target, --categorical, …) need --source: where the data is read from',
      );
    return undefined;
  }
  const trimmed = value.trim();
  const source = trimmed.startsWith('{')
    ? parseJsonOption('source', trimmed)
    : /^https?:\/\//i.test(trimmed)
      ? { kind: 'url', url: trimmed }
      : { kind: 'file', path: trimmed };
  const fields = ingestSpecFields(flags);
  return Object.keys(fields).length > 0 ? { source, ...fields } : source;
}

export function registerExperimentCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  const experiment = program
    .command('experiment')
    .description('experiments: what to train and how to judge it');
  withIngestFlags(
    experiment
      .command('create')
      .requiredOption('--name <name>')
      .requiredOption('--dataset <dataset>', 'dataset name or id')
      .requiredOption('--use-case <useCase>')
      .requiredOption('--family <family>', 'model family, e.g. mf, ncf, cnn, lstm, mlp')
      .option('--hyperparameters <json>', 'e.g. \'{"epochs": 5}\'')
      .option(
        '--gate <json>',
        `thresholds: absolute {metric, op, value} or against production {metric, maxDecrease|maxIncrease}, e.g. '${GATE_EXAMPLE}'`,
      )
      .option('--rollout <json>', 'rollout policy, e.g. \'{"steps": [0.1, 0.5]}\'')
      .option('--description <text>')
      .option(
        '--source <source>',
        `where each run ingests new data: a file path or URL the ingest workers read, or a JSON source, e.g. '${SOURCE_EXAMPLE}'; the ingest flags below apply to it`,
      ),
  )
    .description('create an experiment (lathe families lists the model families and their hyperparameters)')
    .action(
      async (
        options: IngestFlags & {
          name: string;
          dataset: string;
          useCase: string;
          family: string;
          hyperparameters?: string;
          gate?: string;
          rollout?: string;
          description?: string;
          source?: string;
        },
      ) => {
        const source = sourceOption(options.source, options);
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
          ...(source !== undefined ? { source } : {}),
        };
        const { body: created } = await api.json<Experiment>('POST', '/experiments', body);
        io.stdout.write(`created experiment ${created.name} (${created.id})\n`);
      },
    );
  experiment
    .command('list')
    .description('list experiments')
    .action(async () => {
      const { body } = await client().json<Page<Experiment>>('GET', '/experiments?limit=500');
      io.stdout.write(
        formatTable(
          ['name', 'use case', 'family', 'rev', 'id'],
          body.items.map((e) => [e.name, e.useCase, e.modelFamily, e.revision, e.id]),
        ),
      );
    });
}
