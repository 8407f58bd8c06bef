export * from './client.ts';
export * from './migrations/migration-runner.ts';
export * from './migrations/paths.ts';
export * from './generated/prisma/client.ts';
