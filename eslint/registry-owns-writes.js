// The registry owns every write: outside packages/registry no code writes through a Prisma
// model (create, update, upsert, delete and their many/AndReturn forms), runs raw SQL or opens
// a transaction. What a service needs written is a repository function in
// packages/registry/src/repositories, where the constraint, lock or idempotency rule that
// goes with the write lives too. The model names come from prisma/schema.prisma, so a new
// model is covered without editing this file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const schemaPath = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url));

/** Prisma's client property of each model: `model AbTest {` is `registry.abTest`. */
export function prismaModelProperties(schema = readFileSync(schemaPath, 'utf8')) {
  return [...schema.matchAll(/^model\s+(\w+)\s*\{/gm)].map(
    ([, name]) => name[0].toLowerCase() + name.slice(1),
  );
}

export const PRISMA_WRITE_METHODS = [
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
];

export const PRISMA_RAW_AND_TRANSACTION = [
  '$executeRaw',
  '$executeRawUnsafe',
  '$queryRaw',
  '$queryRawUnsafe',
  '$transaction',
];

const alternation = (names) => names.map((name) => name.replace(/\$/g, '\\$')).join('|');

/** no-restricted-syntax entries that flag a Prisma write, raw statement or transaction. */
export function registryWriteRestrictions(models = prismaModelProperties()) {
  return [
    {
      selector:
        `CallExpression[callee.type='MemberExpression']` +
        `[callee.property.name=/^(${alternation(PRISMA_WRITE_METHODS)})$/]` +
        `[callee.object.type='MemberExpression']` +
        `[callee.object.property.name=/^(${alternation(models)})$/]`,
      message:
        'Prisma writes live in packages/registry: add or reuse a repository function in packages/registry/src/repositories and call it here.',
    },
    {
      selector: `MemberExpression[property.name=/^(${alternation(PRISMA_RAW_AND_TRANSACTION)})$/]`,
      message:
        'Raw SQL and transactions live in packages/registry: add or reuse a repository function in packages/registry/src/repositories and call it here.',
    },
  ];
}

/** The flat-config block: every package and service source file except the registry's own and tests. */
export const registryOwnsWrites = {
  files: [
    'packages/*/src/**/*.ts',
    'packages/*/src/**/*.tsx',
    'services/*/src/**/*.ts',
    'services/*/src/**/*.tsx',
  ],
  ignores: ['packages/registry/**', '**/*.test.ts', '**/*.test.tsx'],
  rules: { 'no-restricted-syntax': ['error', ...registryWriteRestrictions()] },
};
