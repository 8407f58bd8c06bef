export * from './ab-event-log.ts';
export * from './client-keys.ts';
export * from './config.ts';
export * from './endpoint-router.ts';
export * from './model-cache.ts';
export * from './serve-app.ts';
export * from './read-cache.ts';
