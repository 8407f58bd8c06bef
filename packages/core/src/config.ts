/**
 * Configuration from the environment, validated with zod. A bad value fails fast with one line
 * that names the variable and what was expected, never a stack trace from deep in a driver.
 */
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { tracingEnvSchema } from './tracing.ts';

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'expected a URL like postgresql://user:password@host:5432/database');

const redisUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'expected a URL like redis://host:6379');

/** Variables every process reads. Services extend this with their own. */
export const baseEnvSchema = z.object({
  DATABASE_URL: postgresUrl,
  REDIS_URL: redisUrl,
  LATHE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LATHE_ARTIFACT_DIR: z.string().min(1).default('.lathe/artifacts'),
  /**
   * Prefix for every Redis key Lathe writes, so several installs (or test files) share one Redis.
   * On Redis Cluster it starts with a hash tag (`{lathe}`): a run's flow spans four queues, and
   * BullMQ's scripts need every key of a flow in one hash slot (docs/operations.md).
   */
  LATHE_QUEUE_PREFIX: z
    .string()
    .min(1)
    .regex(
      /^(?:\{[A-Za-z0-9:_-]+\})?[A-Za-z0-9:_-]*$/,
      'letters, digits, ":", "_" or "-", optionally starting with a {hash-tag} for Redis Cluster',
    )
    .default('lathe'),
  /** Folded into stage cache keys and recorded on each run: a new code version trains anew. */
  LATHE_CODE_VERSION: z.string().min(1).default('dev'),
  /** OpenTelemetry export (OTEL_EXPORTER_OTLP_ENDPOINT and the rest): see tracing.ts. */
  ...tracingEnvSchema.shape,
});

export type BaseConfig = z.infer<typeof baseEnvSchema>;

/**
 * Parses a process's environment once, at its entry point (a service's main.ts, a command's
 * entry), which passes `process.env`; everything below receives the parsed values.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = issue.path.join('.') || '(environment)';
  const received = env[variable];
  const shown = received === undefined ? 'it is not set' : `got ${JSON.stringify(redactUrl(received))}`;
  const expected = issue.code === 'invalid_type' && received === undefined ? 'a value' : issue.message;
  throw new ConfigError(`${variable}: ${expected}; ${shown}`, { variable });
}

/** Hide the password of a URL before it reaches a log line or an error message. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
