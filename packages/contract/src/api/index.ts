export * from './common.ts';
export * from './api-keys.ts';
export * from './audit-log.ts';
export * from './schedules.ts';
export * from './models.ts';
export * from './evaluations.ts';
export * from './deployments.ts';
