import { defineConfig } from 'vitest/config';

// One test run for the whole monorepo. Unit tests sit beside the code; integration and
// end-to-end tests under test/. Files that need Postgres/Redis get their own schema and key
// prefix from test/harness, so files run in parallel against shared servers.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/generated/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for a page or a process to catch up; its default (1 s) is shorter than
    // a browser page's fetch and render take on a busy 2-core CI machine.
    expect: { poll: { timeout: 15_000 } },
    globalSetup: ['test/harness/global-setup.ts'],
  },
});
