/**
 * The lint rules that keep every write in the registry (eslint/registry-owns-writes.js) and
 * configuration at the process's entry (eslint/config-at-the-edge.js), run through ESLint with
 * the repository's own configuration on a fixture: they must flag the fixture's writes, raw
 * statement, transaction and environment read where they do not belong, and let the same text
 * pass where it does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = readFileSync(new URL('./fixtures/architecture-violations.ts', import.meta.url), 'utf8');
const lineOf = (text: string) => fixture.split('\n').findIndex((line) => line.includes(text)) + 1;

// The rule is syntactic; type-aware parsing is switched off so the fixture can be linted under
// any path without a TypeScript program for it.
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

async function restrictedAt(filePath: string) {
  const [result] = await eslint.lintText(fixture, { filePath: `${root}/${filePath}` });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-syntax')
    .map((message) => ({ line: message.line, message: message.message }));
}

async function envReadsAt(filePath: string) {
  const [result] = await eslint.lintText(fixture, { filePath: `${root}/${filePath}` });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-properties')
    .map((message) => message.line);
}

describe('config-at-the-edge', () => {
  it('flags process.env read inside a package', { timeout: 120_000 }, async () => {
    expect(await envReadsAt('packages/ml/src/fixture.ts')).toEqual([lineOf('process.env.LATHE_LOG_LEVEL')]);
  });

  it("lets a service's entry and tests read the environment", { timeout: 120_000 }, async () => {
    expect(await envReadsAt('services/train/src/main.ts')).toEqual([]);
    expect(await envReadsAt('packages/ml/src/fixture.test.ts')).toEqual([]);
  });
});

describe('registry-owns-writes', () => {
  it('flags Prisma writes, raw SQL and transactions in a service', { timeout: 120_000 }, async () => {
    const found = await restrictedAt('services/api/src/routes/fixture.ts');
    expect(found.map((f) => f.line).sort((a, b) => a - b)).toEqual(
      [
        lineOf('registry.dataset.update('),
        lineOf('registry.$transaction('),
        lineOf('tx.abTest.deleteMany('),
        lineOf('registry.$executeRaw'),
      ].sort((a, b) => a - b),
    );
    expect(found.find((f) => f.line === lineOf('registry.dataset.update('))?.message).toMatch(
      /packages\/registry\/src\/repositories/,
    );
  });

  it('flags them in a package other than the registry', { timeout: 120_000 }, async () => {
    expect(await restrictedAt('packages/queues/src/fixture.ts')).toHaveLength(4);
  });

  it('lets the registry and tests write', { timeout: 120_000 }, async () => {
    expect(await restrictedAt('packages/registry/src/repositories/fixture.ts')).toEqual([]);
    expect(await restrictedAt('services/api/src/fixture.test.ts')).toEqual([]);
  });
});
