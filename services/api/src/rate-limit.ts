/**
 * Rate limiting per client address, counted in Redis (rate-limit-redis) so that every API
 * replica shares one budget. Over the limit: 429 problem+json with RateLimit headers
 * (draft-ietf-httpapi-ratelimit-headers).
 */
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { ApiConfig } from './config.ts';
import { sendProblem } from '@lathe/core';

export function createRateLimiter(redis: Redis, config: ApiConfig): RequestHandler {
  return rateLimit({
    windowMs: config.rateLimit.windowMs,
    limit: config.rateLimit.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Probes must keep working when a client floods the API.
    skip: (req) => req.path === '/healthz' || req.path === '/readyz',
    // Redis down (restarting): let requests through unlimited rather than fail every one of them,
    // including those that need only Postgres. Routes that need Redis say so themselves (503).
    passOnStoreError: true,
    store: new RedisStore({
      prefix: `${config.queuePrefix}:api-rate:`,
      sendCommand: (command: string, ...args: string[]) =>
        redis.call(command, ...args) as Promise<RedisReply>,
    }),
    handler: (req, res) => {
      sendProblem(res, {
        type: 'https://lathe.dev/problems/rate-limited',
        title: 'Too Many Requests',
        status: 429,
        detail: `more than ${config.rateLimit.max} requests in ${config.rateLimit.windowMs / 1000} s from this client; retry after the RateLimit-Reset header`,
        code: 'rate_limited',
        instance: req.originalUrl,
      });
    },
  });
}
