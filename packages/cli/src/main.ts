import { processIo } from './io.ts';
import { runCli } from './program.ts';

export async function main(argv: string[]): Promise<number> {
  return runCli(argv, processIo());
}
