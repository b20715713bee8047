import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startRedis, type RedisInstance } from '../../scripts/services/index.js';
import { buildMocks } from '../../mocks/app.js';
import { eventually } from '../unit/mocks/helpers.js';

let redis: RedisInstance | undefined;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  await redis?.stop();
  app = undefined;
  redis = undefined;
});

const cacheOf = async (a: FastifyInstance, id: number): Promise<string | undefined> => {
  const r = await a.inject(`/products/${id}`);
  expect(r.statusCode).toBe(200);
  return r.headers['x-cache'] as string | undefined;
};

describe('catalog with Redis stopped mid-test (private Redis)', () => {
  it('serves BYPASS from the origin while Redis is down, never 5xx, and HITs again after a restart', async () => {
    redis = await startRedis({ port: 0 });
    const port = redis.port;
    app = await buildMocks({
      processMetrics: false,
      config: {
        redisUrl: redis.url,
        services: ['catalog', 'payments'],
        logLevel: 'silent',
        catalog: { originLatencyMs: 5 },
        // The shared limiter must not turn the outage into errors either.
        rateLimit: { enabled: true, max: 1000, windowMs: 60_000 },
      },
    });
    expect(await cacheOf(app, 1)).toBe('MISS');
    expect(await cacheOf(app, 1)).toBe('HIT');
    expect((await app.inject('/health/ready')).statusCode).toBe(200);

    await redis.stop();
    await eventually(async () => (await cacheOf(app!, 1)) === 'BYPASS', 5000, 'BYPASS');
    for (let i = 0; i < 5; i++) expect(await cacheOf(app, 2 + i)).toBe('BYPASS');
    expect((await app.inject('/products?page=1&size=3')).headers['x-cache']).toBe('BYPASS');
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ ready: false, checks: { redis: { ok: false } } });
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    // Payments keeps working on its configured upstream defaults; flushing says 503, not 500.
    expect((await app.inject({ method: 'POST', url: '/payments', payload: { amount: 1 } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'DELETE', url: '/cache' })).statusCode).toBe(503);

    redis = await startRedis({ port });
    await eventually(async () => (await cacheOf(app!, 1)) === 'HIT', 10_000, 'HIT after restart');
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
  }, 60_000);

  it('starts while Redis is down and serves BYPASS at once', async () => {
    const down = await startRedis({ port: 0 });
    const url = down.url;
    await down.stop();
    app = await buildMocks({ processMetrics: false, config: { redisUrl: url, services: ['catalog'], logLevel: 'silent', catalog: { originLatencyMs: 0 } } });
    const t0 = performance.now();
    expect(await cacheOf(app, 1)).toBe('BYPASS');
    expect(performance.now() - t0).toBeLessThan(500);
  }, 30_000);
});
