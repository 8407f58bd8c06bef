/**
 * Entry point wrapper for services and scripts: a failure during start-up (bad configuration,
 * a server that does not answer) ends the process with ONE line that says what is wrong,
 * e.g. `[train] DATABASE_URL: expected a URL like postgresql://…; got "x"`, and exit code 1.
 */
import { describeError, isLatheError } from './errors.ts';

export function formatStartupError(name: string, error: unknown): string {
  const { code, message } = describeError(error);
  const firstLine = message.split('\n')[0] ?? message;
  return isLatheError(error) && code === 'invalid_config'
    ? `[${name}] ${firstLine}`
    : `[${name}] error (${code}): ${firstLine}`;
}

export async function runMain(name: string, main: () => Promise<unknown>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${formatStartupError(name, error)}\n`);
    process.exit(1);
  }
}
