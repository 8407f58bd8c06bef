/**
 * Where the API is and which key to use: LATHE_API_URL / LATHE_API_KEY, else the config file
 * ($LATHE_CONFIG, default ~/.config/lathe/config.json: { "apiUrl": "...", "apiKey": "..." }).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './io.ts';

export interface CliConfig {
  apiUrl: string;
  apiKey: string | undefined;
  source: string;
}

export function configPath(env: Record<string, string | undefined>): string {
  return (
    env.LATHE_CONFIG ??
    join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'lathe', 'config.json')
  );
}

export function loadCliConfig(env: Record<string, string | undefined>): CliConfig {
  const path = configPath(env);
  let file: { apiUrl?: unknown; apiKey?: unknown } = {};
  if (existsSync(path)) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
    } catch (error) {
      throw new CliError(`${path} is not valid JSON (${(error as Error).message}); fix or delete it`);
    }
  }
  const apiUrl =
    env.LATHE_API_URL ??
    (typeof file.apiUrl === 'string' ? file.apiUrl : undefined) ??
    'http://127.0.0.1:8080';
  const apiKey = env.LATHE_API_KEY ?? (typeof file.apiKey === 'string' ? file.apiKey : undefined);
  return {
    apiUrl: apiUrl.replace(/\/+$/, ''),
    apiKey,
    source: env.LATHE_API_KEY ? 'LATHE_API_KEY' : existsSync(path) ? path : 'nowhere',
  };
}
