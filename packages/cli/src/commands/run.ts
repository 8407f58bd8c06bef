/** `lathe run start <experiment> [--follow]`. */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Run, RunReproduction } from '@lathe/contract';
import type { ApiClient } from '../api-client.ts';
import { resolveId } from '../resolve.ts';
import { followRun } from '../run-progress.ts';
import { CliError, type CliIo } from '../io.ts';

export function registerRunCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  const run = program.command('run').description('runs of the pipeline');
  run
    .command('start')
    .argument('<experiment>', 'experiment name or id')
    .option('--follow', 'show live progress per stage until the run ends')
    .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10))
    .option('--no-cache', 'recompute every stage')
    .option('--idempotency-key <key>', 'the same key returns the same run (default: a new key)')
    .option(
      '--set <name=value>',
      "override one of the experiment's hyperparameters for this run (repeatable; the value is read as JSON when it parses)",
      collectSetting,
      {},
    )
    .description('start a run of an experiment')
    .action(
      async (
        experiment: string,
        options: {
          follow?: boolean;
          seed?: number;
          cache: boolean;
          idempotencyKey?: string;
          set: Record<string, unknown>;
        },
      ) => {
        const api = client();
        const experimentId = await resolveId(api, 'experiments', experiment);
        const overrides =
          Object.keys(options.set).length > 0 ? { params: { hyperparameters: options.set } } : {};
        const { body: started, status } = await api.json<Run>(
          'POST',
          `/experiments/${experimentId}/runs`,
          {
            trigger: 'manual',
            ...(options.seed !== undefined ? { seed: options.seed } : {}),
            ...(options.cache === false ? { cache: false } : {}),
            ...overrides,
          },
          { 'idempotency-key': options.idempotencyKey ?? randomUUID() },
        );
        io.stdout.write(`${status === 200 ? 'existing' : 'started'} run ${started.id} (${started.status})\n`);
        if (!options.follow) return;
        const final = await followRun(api, io, started.id);
        if (!final)
          throw new CliError(
            `the event stream of run ${started.id} ended without news; check GET /runs/${started.id}`,
          );
        io.stdout.write(
          `run ${final.id} ${final.status}${final.errorCode ? `: ${final.errorCode}: ${final.errorMessage ?? ''}` : ''}\n`,
        );
        if (final.status !== 'succeeded') throw new CliError(`run ${final.id} ended ${final.status}`, 2);
      },
    );

  run
    .command('reproduce')
    .argument('<run>', 'run id')
    .description(
      'retrain a run from its recorded family, hyperparameters and seed on its dataset version and compare the weights (exit 3 when they differ)',
    )
    .action(async (runId: string) => {
      const { body } = await client().json<RunReproduction>(
        'POST',
        `/runs/${encodeURIComponent(runId)}/reproduce`,
      );
      const env = (e: RunReproduction['original']) =>
        `${e.name} ${e.version}, ${e.threads} thread${e.threads === 1 ? '' : 's'}, ${e.deterministic ? 'deterministic' : `not deterministic (${e.reason})`}`;
      io.stdout.write(
        [
          `run ${body.runId}: ${body.summary}`,
          `  weights sha256  original ${body.weights.originalSha256}`,
          `                  rerun    ${body.weights.rerunSha256}`,
          `  seed ${body.seed}, dataset sha256 ${body.datasetSha256 ?? 'unrecorded'}`,
          `  original on ${env(body.original)}`,
          `  rerun on    ${env(body.rerun)}`,
          ...body.environmentDifferences.map((d) => `  environment changed: ${d}`),
        ].join('\n') + '\n',
      );
      if (body.verdict !== 'identical') throw new CliError(`run ${body.runId} did not reproduce`, 3);
    });
}

/** `--set epochs=6 --set hiddenUnits=[32,16]`: one hyperparameter each, JSON when it parses, else the string. */
function collectSetting(value: string, previous: Record<string, unknown>): Record<string, unknown> {
  const at = value.indexOf('=');
  if (at <= 0) throw new CliError(`--set ${value}: expected name=value, e.g. --set epochs=6`);
  const raw = value.slice(at + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // a plain string value
  }
  return { ...previous, [value.slice(0, at)]: parsed };
}
