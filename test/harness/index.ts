export * from './database.ts';
export * from './redis.ts';
export * from './services-env.ts';
export * from './ports.ts';
export * from './tcp-proxy.ts';
export * from './ab-fixtures.ts';
export * from './gateway-process.ts';
export * from './serving-fixtures.ts';
