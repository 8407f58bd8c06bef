export * from './assignment.ts';
export * from './statistics.ts';
export * from './analysis.ts';
export * from './rollout-policy.ts';
export * from './routing.ts';
