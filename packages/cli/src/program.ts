/** The `lathe` command tree (commander). */
import { Command, CommanderError } from 'commander';
import { ApiClient } from './api-client.ts';
import { loadCliConfig } from './config.ts';
import { CliError, type CliIo } from './io.ts';
import { registerAbCommands } from './commands/ab.ts';
import { registerDatasetCommands } from './commands/dataset.ts';
import { registerDeploymentCommands } from './commands/deployments.ts';
import { registerExperimentCommands } from './commands/experiment.ts';
import { registerFamilyCommands } from './commands/families.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerModelCommands } from './commands/models.ts';
import { registerRunCommands } from './commands/run.ts';
import { registerScoreCommand } from './commands/score.ts';
import { registerSweepCommands } from './commands/sweep.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerServingCommands } from './commands/serving.ts';
import { registerUpDownCommands } from './commands/up-down.ts';

export function createProgram(io: CliIo): Command {
  const program = new Command('lathe')
    .description(
      'Lathe: train, evaluate, deploy and A/B test models. Talks to the admin API (LATHE_API_URL, LATHE_API_KEY).',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const client = () => new ApiClient(loadCliConfig(io.env), io);
  registerUpDownCommands(program, io);
  registerDatasetCommands(program, client, io);
  registerExperimentCommands(program, client, io);
  registerFamilyCommands(program, client, io);
  registerRunCommands(program, client, io);
  registerModelCommands(program, client, io);
  registerScoreCommand(program, client, io);
  registerSweepCommands(program, client, io);
  registerAbCommands(program, client, io);
  registerKeyCommands(program, client, io);
  registerSimulateCommand(program, client, io);
  registerDeploymentCommands(program, client, io);
  registerServingCommands(program, io);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs one command line; returns the exit code (errors printed as one line, no stack). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      io.stderr.write(`lathe: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`lathe: unexpected error: ${(error as Error).message}\n`);
    return 1;
  }
}
