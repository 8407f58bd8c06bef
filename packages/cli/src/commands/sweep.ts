/**
 * `lathe sweep start <experiment> --grid '{"learningRate":[0.001,0.003]}'` (or --random with
 * --trials and --seed), `lathe sweep show <id>` (trials ranked by the validation metric, --wait
 * until every trial finished) and `lathe sweep promote <id>` (best trial → experiment defaults).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { SweepResource } from '@lathe/contract';
import type { ApiClient } from '../api-client.ts';
import { CliError, type CliIo } from '../io.ts';
import { resolveId } from '../resolve.ts';
import { formatTable } from '../table.ts';

function parseParameters(flag: string, text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new CliError(
    `${flag} takes a JSON object of hyperparameter → values, e.g. '{"learningRate":[0.001,0.003]}'`,
  );
}

function printSweep(io: CliIo, sweep: SweepResource): void {
  io.stdout.write(
    `sweep ${sweep.id} (${sweep.status}): ${sweep.trials.length} trials ranked by ${sweep.metric}${sweep.folds > 1 ? ` (mean of ${sweep.folds} folds)` : ''} (${sweep.direction === 'min' ? 'lower' : 'higher'} is better)\n`,
  );
  io.stdout.write(
    formatTable(
      ['rank', 'run', 'status', sweep.metric, 'kept epoch', 'hyperparameters'],
      sweep.trials.map((t) => [
        t.rank,
        t.runId,
        t.errorCode ? `${t.status} (${t.errorCode})` : t.status,
        t.value === null ? null : t.value.toPrecision(4),
        t.keptEpoch,
        JSON.stringify(t.hyperparameters),
      ]),
    ),
  );
  if (sweep.best)
    io.stdout.write(`best: run ${sweep.best.runId} ${JSON.stringify(sweep.best.hyperparameters)}\n`);
  if (sweep.promotedRunId) io.stdout.write(`promoted: run ${sweep.promotedRunId}\n`);
}

async function waitForSweep(api: ApiClient, id: string, pollMs: number): Promise<SweepResource> {
  for (;;) {
    const { body } = await api.json<SweepResource>('GET', `/sweeps/${id}`);
    if (body.status === 'finished') return body;
    await sleep(pollMs);
  }
}

export function registerSweepCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  const sweep = program.command('sweep').description('hyperparameter sweeps');
  sweep
    .command('start')
    .argument('<experiment>', 'experiment name or id')
    .option('--grid <json>', 'every combination of {"name": [values]}')
    .option('--random <json>', 'draws from {"name": [values] | {"min", "max", "log", "integer"}}')
    .option('--trials <n>', 'random search: how many trials', '10')
    .option('--seed <n>', 'random search: the seed of the draws', '0')
    .option('--metric <name>', 'the validation metric to rank by', 'valLoss')
    .option('--folds <k>', 'k-fold cross-validation on the training split: k runs per trial')
    .option('--wait', 'wait until every trial finished, then show the ranking')
    .description('start one run per trial; trials are never deployed')
    .action(
      async (
        experiment: string,
        options: {
          grid?: string;
          random?: string;
          trials: string;
          seed: string;
          metric: string;
          folds?: string;
          wait?: boolean;
        },
      ) => {
        if ((options.grid === undefined) === (options.random === undefined))
          throw new CliError('pass exactly one of --grid <json> or --random <json>');
        const space =
          options.grid !== undefined
            ? { strategy: 'grid', parameters: parseParameters('--grid', options.grid) }
            : {
                strategy: 'random',
                parameters: parseParameters('--random', options.random!),
                trials: Number(options.trials),
                seed: Number(options.seed),
              };
        const api = client();
        const id = await resolveId(api, 'experiments', experiment);
        const { body } = await api.json<SweepResource>('POST', `/experiments/${id}/sweeps`, {
          space,
          metric: options.metric,
          ...(options.folds !== undefined ? { folds: Number(options.folds) } : {}),
        });
        io.stderr.write(`sweep ${body.id}: ${body.trials.length} runs queued\n`);
        printSweep(io, options.wait ? await waitForSweep(api, body.id, 500) : body);
      },
    );
  sweep
    .command('show')
    .argument('<id>', 'the sweep id')
    .option('--wait', 'wait until every trial finished')
    .description('the trials ranked by the validation metric at each run’s kept epoch')
    .action(async (id: string, options: { wait?: boolean }) => {
      const api = client();
      printSweep(
        io,
        options.wait
          ? await waitForSweep(api, id, 500)
          : (await api.json<SweepResource>('GET', `/sweeps/${id}`)).body,
      );
    });
  sweep
    .command('promote')
    .argument('<id>', 'the sweep id')
    .option('--run <runId>', 'the trial to promote (default: the best)')
    .description("lay the trial's hyperparameters over the experiment's")
    .action(async (id: string, options: { run?: string }) => {
      const { body } = await client().json<SweepResource>(
        'POST',
        `/sweeps/${id}/promote`,
        options.run ? { runId: options.run } : {},
      );
      printSweep(io, body);
    });
}
