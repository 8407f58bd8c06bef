// Configuration is read once per process, at its entry, and passed down: no package reads
// `process.env` on its own (a variable read deep inside escapes validation, the README and the
// process's one-line configuration errors). The entries that may read it: a service's main.ts
// (not under packages/), the registry's migrate command and the lathe CLI's process I/O.
export const configAtTheEdge = {
  files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx'],
  ignores: [
    '**/*.test.ts',
    'packages/registry/src/cli/**',
    'packages/registry/src/generated/**',
    'packages/cli/src/io.ts',
    // Children of `lathe up` inherit the caller's environment (PATH, Docker settings).
    'packages/cli/src/commands/up-down.ts',
  ],
  rules: {
    'no-restricted-properties': [
      'error',
      {
        object: 'process',
        property: 'env',
        message:
          "Read configuration once in the process's entry (main.ts) with loadConfig and a zod schema, and pass the parsed values down.",
      },
    ],
  },
};
