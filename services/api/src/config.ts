/** The API's environment: the base variables plus its own, validated at start. */
import { z } from 'zod';
import { baseEnvSchema } from '@lathe/core';

const bytes = z.coerce.number().int().positive();

export const apiEnvSchema = baseEnvSchema.extend({
  LATHE_API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LATHE_API_HOST: z.string().default('127.0.0.1'),
  /** The dashboard's origin (e.g. http://localhost:5173); CORS allows it and nothing else. */
  LATHE_DASHBOARD_ORIGIN: z.url().optional(),
  LATHE_DASHBOARD_DIR: z.string().optional(),
  LATHE_API_JSON_LIMIT: bytes.default(1024 * 1024),
  LATHE_API_UPLOAD_LIMIT: bytes.default(512 * 1024 * 1024),
  LATHE_API_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  LATHE_API_RATE_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  LATHE_UPLOAD_DIR: z.string().default('.lathe/uploads'),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

/** What createApp needs, in the units it uses (tests build one directly). */
export interface ApiConfig {
  queuePrefix: string;
  dashboardOrigin?: string;
  dashboardDir?: string;
  jsonLimitBytes: number;
  uploadLimitBytes: number;
  rateLimit: { max: number; windowMs: number };
  uploadDir: string;
  artifactDir: string;
  /** How often the run event stream polls the registry. */
  eventPollMs: number;
}

export function apiConfigFromEnv(env: ApiEnv): ApiConfig {
  return {
    queuePrefix: env.LATHE_QUEUE_PREFIX,
    ...(env.LATHE_DASHBOARD_ORIGIN ? { dashboardOrigin: env.LATHE_DASHBOARD_ORIGIN } : {}),
    ...(env.LATHE_DASHBOARD_DIR ? { dashboardDir: env.LATHE_DASHBOARD_DIR } : {}),
    jsonLimitBytes: env.LATHE_API_JSON_LIMIT,
    uploadLimitBytes: env.LATHE_API_UPLOAD_LIMIT,
    rateLimit: { max: env.LATHE_API_RATE_LIMIT, windowMs: env.LATHE_API_RATE_WINDOW_MS },
    uploadDir: env.LATHE_UPLOAD_DIR,
    artifactDir: env.LATHE_ARTIFACT_DIR,
    eventPollMs: 500,
  };
}
