#!/usr/bin/env node
// The `lathe` command. Lathe ships TypeScript sources without a build step; tsx loads them.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
