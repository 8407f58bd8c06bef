export * from './errors.ts';
export * from './config.ts';
export * from './logger.ts';
export * from './telemetry.ts';
export * from './shutdown.ts';
export * from './run-main.ts';
export * from './random.ts';
export * from './http-problem.ts';
