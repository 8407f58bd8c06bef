export { createProgram, runCli } from './program.ts';
export { renderAbReport } from './commands/ab.ts';
export { formatTable } from './table.ts';
export { loadCliConfig, type CliConfig } from './config.ts';
export type { CliIo } from './io.ts';
