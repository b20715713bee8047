import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { RateLimitConfig } from './config.js';
import { redisKey } from './redis.js';

/** Paths never limited: health, metrics and admin must answer while a test hammers the services. */
const EXEMPT = /^\/(health|metrics|admin)(\/|$|\?)/;

/**
 * Per-client (IP) rate limiting with its counters in Redis (`<prefix>rl:`), so every instance
 * enforces one shared budget. Over the limit: 429 with `Retry-After` (seconds) and the
 * `x-ratelimit-*` headers. A Redis error lets the request through (`skipOnError`): the limiter never
 * turns an outage into 5xx. Does nothing unless `enabled`.
 */
export async function registerRateLimit(app: FastifyInstance, cfg: RateLimitConfig, redis: Redis, keyPrefix: string): Promise<void> {
  if (!cfg.enabled) return;
  await app.register(rateLimit, {
    global: true,
    max: cfg.max,
    timeWindow: cfg.windowMs,
    redis,
    nameSpace: redisKey(keyPrefix, 'rl', ''),
    skipOnError: true,
    allowList: (req) => EXEMPT.test(req.url),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `rate limit exceeded: ${ctx.max} requests per ${ctx.after}; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });
}
