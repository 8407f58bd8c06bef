/** The serving gateway's environment: the base variables plus its own, validated at start. */
import { z } from 'zod';
import { baseEnvSchema } from '@lathe/core';
import { tfBackendVariable } from '@lathe/ml';

const positive = z.coerce.number().int().positive();

export const serveEnvSchema = baseEnvSchema.extend({
  LATHE_SERVE_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  LATHE_SERVE_HOST: z.string().default('127.0.0.1'),
  LATHE_SERVE_JSON_LIMIT: positive.default(1024 * 1024),
  /** Most instances in one predict request. */
  LATHE_SERVE_MAX_INSTANCES: positive.default(256),
  /** How long an endpoint's routing (running A/B test, active deployment) is reused. */
  LATHE_SERVE_ROUTE_TTL_MS: positive.default(1_000),
  /** Model versions kept loaded. */
  LATHE_SERVE_MODELS: positive.default(4),
  /** How often buffered exposures are written. */
  LATHE_SERVE_FLUSH_MS: positive.default(200),
  /** `api-key`: the endpoint routes need an admin-API key; `none`: only behind an authenticating proxy. */
  LATHE_SERVE_AUTH: z.enum(['api-key', 'none']).default('api-key'),
  /** How long a key's lookup is reused (a revoked key works at most this long). */
  LATHE_SERVE_KEY_TTL_MS: positive.default(30_000),
  /**
   * Micro-batching (micro-batcher.ts): most rows in one model call, longest a request waits
   * for others once traffic is concurrent, most rows queued per model before 503 + Retry-After.
   * Defaults from bench/serve.ts (see docs/serving.md).
   */
  LATHE_SERVE_BATCH_MAX_SIZE: positive.default(64),
  LATHE_SERVE_BATCH_MAX_WAIT_MS: z.coerce.number().min(0).max(1_000).default(2),
  LATHE_SERVE_BATCH_MAX_QUEUED: positive.default(4_096),
  /** Longest a request waits for its model call before 503 (never held past it). */
  LATHE_SERVE_DEADLINE_MS: positive.default(2_000),
  /** `redis`: routing changes announced on Redis reach the gateway at once (the TTL stays the fallback); `off`: TTL only. */
  LATHE_SERVE_ROUTING_PUSH: z.enum(['redis', 'off']).default('redis'),
  /** Fault injection for testing the sample-ratio-mismatch alarm: this share of treatment units is served as control. */
  LATHE_SERVE_FAULT_ASSIGNMENT_SKEW: z.coerce.number().min(0).max(1).default(0),
  /** The tensor backend to force; unset: the first that loads. */
  LATHE_TF_BACKEND: tfBackendVariable,
});

export type ServeEnv = z.infer<typeof serveEnvSchema>;

export interface ServeConfig {
  jsonLimitBytes: number;
  maxInstances: number;
  routeTtlMs: number;
  models: number;
  flushMs: number;
  auth: 'api-key' | 'none';
  keyTtlMs: number;
  batch: { maxBatchSize: number; maxWaitMs: number; maxQueuedRows: number };
  deadlineMs: number;
  routingPush: 'redis' | 'off';
  /** Fault injection only (see endpoint-router.ts); 0 in production. */
  assignmentSkew?: number;
}

export function serveConfigFromEnv(env: ServeEnv): ServeConfig {
  return {
    jsonLimitBytes: env.LATHE_SERVE_JSON_LIMIT,
    maxInstances: env.LATHE_SERVE_MAX_INSTANCES,
    routeTtlMs: env.LATHE_SERVE_ROUTE_TTL_MS,
    models: env.LATHE_SERVE_MODELS,
    flushMs: env.LATHE_SERVE_FLUSH_MS,
    auth: env.LATHE_SERVE_AUTH,
    keyTtlMs: env.LATHE_SERVE_KEY_TTL_MS,
    batch: {
      maxBatchSize: env.LATHE_SERVE_BATCH_MAX_SIZE,
      maxWaitMs: env.LATHE_SERVE_BATCH_MAX_WAIT_MS,
      maxQueuedRows: env.LATHE_SERVE_BATCH_MAX_QUEUED,
    },
    deadlineMs: env.LATHE_SERVE_DEADLINE_MS,
    routingPush: env.LATHE_SERVE_ROUTING_PUSH,
    assignmentSkew: env.LATHE_SERVE_FAULT_ASSIGNMENT_SKEW,
  };
}
