/**
 * The README says what works on a clean clone; this holds it to that. It extracts the documented
 * environment variables, commands and paths and checks them against the code: every variable is
 * read by some process, and where a process's configuration schema declares it, the documented
 * default is the schema's and every documented value is one the schema accepts; every `npm run`
 * script exists; every `lathe …` command line names commands and options the CLI has; every path
 * exists (or, under `.lathe/`, is one the scripts create).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnvSchema } from '@lathe/core';
import { workerEnvSchema } from '@lathe/queues';
import { apiEnvSchema } from '../../services/api/src/config.ts';
import { serveEnvSchema } from '../../services/serve/src/config.ts';
import { trainEnvSchema } from '../../services/train/src/config.ts';
import { createProgram } from '../../packages/cli/src/program.ts';

type Command = ReturnType<typeof createProgram>;
/** What the checks need of a variable's zod schema. */
interface VariableSchema {
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Every process's configuration schema, merged: variable → its zod schema. */
const declared: Record<string, VariableSchema> = Object.assign(
  {},
  ...[baseEnvSchema, workerEnvSchema, apiEnvSchema, serveEnvSchema, trainEnvSchema].map((s) => s.shape),
);

/** The source the processes and scripts run (not tests), to find where a variable is read. */
function sourceText(): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name === 'generated' || name.startsWith('.'))
        continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|tsx|mjs|sh)$/.test(name) && !/\.test\.tsx?$/.test(name))
        texts.push(readFileSync(path, 'utf8'));
    }
  };
  for (const dir of ['packages', 'services', 'scripts', 'infra']) walk(join(root, dir));
  return texts.join('\n');
}

/** Inline code spans and fenced blocks, whitespace folded (a span may wrap a line). */
const spansOf = (text: string) =>
  [...text.matchAll(/```[a-z]*\n([\s\S]*?)```|`([^`]+)`/g)].flatMap((m) =>
    m[1] !== undefined
      ? m[1].split('\n').map((line) => line.replace(/#.*$/, '').trim())
      : [m[2]!.replace(/\s+/g, ' ').trim()],
  );
const codeSpans = spansOf(readme);

interface TableRow {
  variables: string[];
  defaults: string;
  meaning: string;
}
function configurationTable(text: string): TableRow[] {
  return text
    .split('\n')
    .filter((line) => /^\|\s*`[A-Z_<>]+`/.test(line))
    .map((line) => {
      const [variables, defaults, meaning] = line
        .split('|')
        .slice(1, 4)
        .map((cell) => cell.trim());
      return {
        variables: [...variables!.matchAll(/`([A-Z0-9_<>]+)`/g)].map((m) => m[1]!),
        defaults: defaults!,
        meaning: meaning!,
      };
    });
}

/** The innermost schema under optional/default/prefault wrappers. */
function innermost(schema: VariableSchema): VariableSchema {
  let current = schema as unknown as { _zod: { def: { type: string; innerType?: unknown } } };
  while (current._zod.def.innerType) current = current._zod.def.innerType as typeof current;
  return current as unknown as VariableSchema;
}
const isEnum = (schema: VariableSchema) =>
  (innermost(schema) as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'enum';

/** Values a row's meaning lists (`a`, `b` or `c`) that its variables' enum schemas refuse. */
function refusedValues(rows: TableRow[]): string[] {
  const refused: string[] = [];
  for (const row of rows) {
    const enums = row.variables.filter((name) => declared[name] && isEnum(declared[name]));
    if (enums.length === 0) continue;
    const values = [...row.meaning.matchAll(/`([a-z][a-z0-9-]*)`/g)].map((m) => m[1]!);
    for (const value of values)
      if (!enums.some((name) => declared[name]!.safeParse(value).success))
        refused.push(`${enums.join('/')}: ${value}`);
  }
  return refused;
}

/** `lathe …` lines of `spans` naming a command or an option the CLI does not have. */
function commandProblems(spans: string[]): { lines: number; problems: string[] } {
  const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, fetch };
  const program = createProgram(io);
  const lines = spans
    .map((span) => /(?:^|npx |npm run lathe -- |\$ )lathe (.+)$/.exec(span)?.[1])
    .filter((line): line is string => line !== undefined && !line.startsWith('<'));
  const problems: string[] = [];
  for (const line of lines) {
    const words = line.split(' ');
    let command: Command = program;
    let i = 0;
    for (; i < words.length; i++) {
      const next = command.commands.find((c) => c.name() === words[i]);
      if (!next) break;
      command = next;
    }
    if (command === program) {
      problems.push(`lathe ${line}: no command ${words[0]}`);
      continue;
    }
    if (command.commands.length > 0 && !['--help', '-h'].includes(words[i] ?? ''))
      problems.push(
        `lathe ${line}: ${command.name()} needs a subcommand (${command.commands.map((c) => c.name()).join(', ')})`,
      );
    const options = new Set(command.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
    for (const word of words.slice(i))
      if (/^--?[a-z]/.test(word) && !options.has(word.replace(/=.*$/, '')) && word !== '--help')
        problems.push(`lathe ${line}: ${command.name()} has no option ${word}`);
  }
  return { lines: lines.length, problems };
}

describe('the README checks', () => {
  it('catch a backend value the code refuses and a CLI option that does not exist', () => {
    const rows = configurationTable(
      '| `LATHE_TF_BACKEND` | first that loads | `tensorflow-gpu`, `tensorflow`, `wasm` or `cpu` |',
    );
    expect(refusedValues(rows)).toEqual(['LATHE_TF_BACKEND: tensorflow-gpu', 'LATHE_TF_BACKEND: tensorflow']);
    expect(
      commandProblems(spansOf('`lathe keys list` and `lathe keys create x --role viewer --gate auc`'))
        .problems,
    ).toEqual(['lathe keys create x --role viewer --gate auc: create has no option --gate']);
  });
});

describe('README configuration table', () => {
  const rows = configurationTable(readme);
  const source = sourceText();

  it('is found, with the variables every process needs', () => {
    const names = rows.flatMap((r) => r.variables);
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'LATHE_TF_BACKEND']));
  });

  it('documents only variables that some process reads', () => {
    const unread = rows
      .flatMap((r) => r.variables)
      .filter((name) => {
        if (name in declared) return false;
        // A pattern (LATHE_CONNECTION_<NAME>_URL) is read as its fixed parts.
        const parts = name.split(/<[A-Z]+>/);
        return !parts.every((part) => source.includes(part));
      });
    expect(unread).toEqual([]);
  });

  it("gives each declared variable its schema's default", () => {
    const wrong: string[] = [];
    for (const row of rows) {
      const defaults = row.defaults.split(/,\s*/);
      if (defaults.length !== row.variables.length) continue;
      row.variables.forEach((name, i) => {
        const documented = /^`([^`]+)`$/.exec(defaults[i]!)?.[1];
        const schema = declared[name];
        if (documented === undefined || schema === undefined) return;
        const parsed = schema.safeParse(undefined);
        if (!parsed.success || String(parsed.data) !== documented)
          wrong.push(
            `${name}: README says ${documented}, the schema ${parsed.success ? parsed.data : 'requires it'}`,
          );
      });
    }
    expect(wrong).toEqual([]);
  });

  it('lists only values the schema accepts for variables that take one of a few values', () => {
    expect(refusedValues(rows)).toEqual([]);
  });
});

describe('README commands', () => {
  const scripts = Object.keys(
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts,
  );

  it('names only npm scripts the root package has', () => {
    const used = codeSpans.flatMap((span) =>
      [...span.matchAll(/\bnpm (?:run ([a-z:-]+)|(test))\b/g)].map((m) => m[1] ?? m[2]!),
    );
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('names only lathe commands and options the CLI has', () => {
    const { lines, problems } = commandProblems(codeSpans);
    expect(lines).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  });
});

describe('README paths', () => {
  const source = sourceText();
  const paths = [
    ...codeSpans.filter((span) => /^\.?[a-z][\w.-]*\/[\w./-]*$/.test(span)),
    ...[...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]!).filter((link) => !/^https?:/.test(link)),
  ];

  it('names only files and folders that exist, or that the scripts create under .lathe/', () => {
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.filter((path) =>
      // A path under .lathe/ is made at run time: the scripts name its last part.
      path.startsWith('.lathe/')
        ? !source.includes(`${path.replace(/\/$/, '').split('/').pop()!}`)
        : !existsSync(join(root, path)),
    );
    expect(missing).toEqual([]);
  });
});
