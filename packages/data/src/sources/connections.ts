/**
 * Named connections: a Postgres source says `{ "kind": "postgres", "connection": "warehouse", … }`
 * and the ingest worker finds the credentials in its own environment, never in the registry:
 *
 *   LATHE_CONNECTION_<NAME>_URL=postgresql://user:password@host:5432/db   (one per connection)
 *   LATHE_CONNECTIONS_FILE=/etc/lathe/connections.json                    (a mounted secret:
 *                                   { "<name>": { "url": "postgresql://…" }, … })
 *   LATHE_INLINE_CONNECTION_STRINGS=allow|deny                            (default allow)
 *
 * `<name>` is lower-case letters, digits and `_`, starting with a letter; the variable holds it
 * upper-cased (`sales_eu` ↔ LATHE_CONNECTION_SALES_EU_URL). A name defined twice (variable and
 * file) is an error, as is a `LATHE_CONNECTION_*` variable that is not `…_URL`. The worker's
 * main reads all of this once (`connectionsFromEnv`) and passes the result down; messages
 * name variables and connections, never a password. See docs/connections.md.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { connectionNameSchema } from '@lathe/contract';
import { ConfigError, LatheError } from '@lathe/core';

export interface SourceConnections {
  /** The configured names, sorted (for messages; never the URLs). */
  readonly names: readonly string[];
  /** Whether a source may carry its own connection string (one without a password). */
  readonly inlineConnectionStrings: 'allow' | 'deny';
  /** The URL of a named connection; throws `unknown_connection` naming the known ones. */
  url(name: string): string;
}

const PREFIX = 'LATHE_CONNECTION_';
const FILE_VARIABLE = 'LATHE_CONNECTIONS_FILE';
const INLINE_VARIABLE = 'LATHE_INLINE_CONNECTION_STRINGS';

/** Where a connection URL was read from, for messages. */
type Origin = string;

/** A postgres URL with a host, checked without ever echoing it (it holds a password). */
function checkUrl(value: unknown, origin: Origin): string {
  const expected = `${origin}: expected a URL like postgresql://user:password@host:5432/database`;
  if (typeof value !== 'string' || value === '')
    throw new ConfigError(`${expected}; got ${value === '' ? 'an empty value' : typeof value}`, {
      variable: origin,
    });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `${expected}; the value does not parse as a URL (it is not shown: it may hold a password)`,
      { variable: origin },
    );
  }
  if ((url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
    throw new ConfigError(`${expected}; got ${JSON.stringify(describeConnectionUrl(value))}`, {
      variable: origin,
    });
  }
  return value;
}

/**
 * Named connections from explicit entries (a test, a library caller); `connectionsFromEnv` is the
 * same from a worker's environment.
 */
export function createConnections(
  entries: Record<string, string>,
  options: { inlineConnectionStrings?: 'allow' | 'deny' } = {},
): SourceConnections {
  const urls = new Map<string, string>();
  for (const [name, url] of Object.entries(entries)) {
    const parsed = connectionNameSchema.safeParse(name);
    if (!parsed.success)
      throw new ConfigError(`connection ${JSON.stringify(name)}: ${parsed.error.issues[0]!.message}`, {
        connection: name,
      });
    urls.set(name, checkUrl(url, `connection ${name}`));
  }
  const names = [...urls.keys()].sort();
  return {
    names,
    inlineConnectionStrings: options.inlineConnectionStrings ?? 'allow',
    url(name) {
      const url = urls.get(name);
      if (url === undefined) throw unknownConnection(name, names);
      return url;
    },
  };
}

/** No connections configured (a library caller that reads no Postgres by name). */
export const NO_CONNECTIONS: SourceConnections = createConnections({});

export function unknownConnection(name: string, known: readonly string[]): LatheError {
  const list = known.length > 0 ? `the known ones are ${known.join(', ')}` : 'none is configured';
  return new LatheError(
    'unknown_connection',
    `source.connection: no connection named ${JSON.stringify(name)} in the ingest workers' configuration (${list}); define it with ${PREFIX}${name.toUpperCase()}_URL or in ${FILE_VARIABLE} (docs/connections.md)`,
    { httpStatus: 422, permanent: true, details: { connection: name, known: [...known] } },
  );
}

/**
 * Reads the connections of a worker's environment once, at start: every variable and the file are
 * checked, so a mistake stops the worker with one line instead of failing a run later.
 */
export function connectionsFromEnv(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): SourceConnections {
  const entries: Record<string, string> = {};
  const origins = new Map<string, Origin>();
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(PREFIX) || value === undefined) continue;
    const match = /^LATHE_CONNECTION_([A-Z][A-Z0-9_]*)_URL$/.exec(variable);
    if (!match || match[1]!.length > 63) {
      throw new ConfigError(
        `${variable}: not a connection variable; a connection is ${PREFIX}<NAME>_URL (NAME: upper-case letters, digits and "_", starting with a letter)`,
        { variable },
      );
    }
    const name = match[1]!.toLowerCase();
    entries[name] = checkUrl(value, variable);
    origins.set(name, variable);
  }
  const file = env[FILE_VARIABLE];
  if (file !== undefined && file !== '') {
    for (const [name, url] of Object.entries(readConnectionsFile(file, readFile))) {
      const earlier = origins.get(name);
      if (earlier)
        throw new ConfigError(
          `connection ${name} is defined twice, by ${earlier} and in ${FILE_VARIABLE} (${file}); define it once`,
          { variable: FILE_VARIABLE, connection: name },
        );
      entries[name] = url;
      origins.set(name, `${FILE_VARIABLE} (${file})`);
    }
  }
  const inline = env[INLINE_VARIABLE] ?? 'allow';
  if (inline !== 'allow' && inline !== 'deny')
    throw new ConfigError(`${INLINE_VARIABLE}: expected allow or deny; got ${JSON.stringify(inline)}`, {
      variable: INLINE_VARIABLE,
    });
  return createConnections(entries, { inlineConnectionStrings: inline });
}

const fileSchema = z.record(z.string(), z.strictObject({ url: z.string() }));

function readConnectionsFile(path: string, readFile: (path: string) => string): Record<string, string> {
  const where = `${FILE_VARIABLE} (${path})`;
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(
      `${where}: cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { variable: FILE_VARIABLE },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text around the error, which may be a password.
    throw new ConfigError(`${where}: not valid JSON; expected { "<name>": { "url": "postgresql://…" }, … }`, {
      variable: FILE_VARIABLE,
    });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.join('.') || '(top level)';
    throw new ConfigError(
      `${where}: ${at}: ${issue.message}; expected { "<name>": { "url": "postgresql://…" }, … }`,
      { variable: FILE_VARIABLE },
    );
  }
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(parsed.data)) {
    const valid = connectionNameSchema.safeParse(name);
    if (!valid.success)
      throw new ConfigError(`${where}: ${JSON.stringify(name)}: ${valid.error.issues[0]!.message}`, {
        variable: FILE_VARIABLE,
      });
    out[name] = checkUrl(entry.url, `${where}: ${name}.url`);
  }
  return out;
}

/**
 * A connection URL as it may be shown and stored: scheme, user, host, port and database; never
 * the password or the query parameters (`sslpassword`, `password`, certificates' paths).
 */
export function describeConnectionUrl(value: string): string {
  try {
    const url = new URL(value);
    const user = url.username ? `${url.username}@` : '';
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return '(unparseable connection string)';
  }
}
