import { afterEach, describe, expect, it } from 'vitest';
import { MocksFixture, sleep, testRedisUrl } from '../unit/mocks/helpers.js';

const fx = new MocksFixture();
afterEach(() => fx.closeAll());

const catalog = { services: ['catalog'] as const, catalog: { originLatencyMs: 30, cacheTtlMs: 60_000 } };

describe('catalog cache-aside (real Redis)', () => {
  it('answers MISS from the slow origin, then HIT from Redis, faster and identical', async () => {
    const app = await fx.build(catalog);
    const t0 = performance.now();
    const miss = await app.inject({ method: 'GET', url: '/products/42' });
    const missMs = performance.now() - t0;
    expect(miss.statusCode).toBe(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(missMs).toBeGreaterThanOrEqual(29);
    const hit = await app.inject({ method: 'GET', url: '/products/42' });
    expect(hit.statusCode).toBe(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.json()).toEqual(miss.json());
    expect(hit.json()).toMatchObject({ id: 42, sku: 'SKU-000042', currency: 'EUR' });
  });

  it('expires entries after the TTL', async () => {
    const app = await fx.build({ ...catalog, catalog: { originLatencyMs: 0, cacheTtlMs: 150 } });
    expect((await app.inject('/products/7')).headers['x-cache']).toBe('MISS');
    expect((await app.inject('/products/7')).headers['x-cache']).toBe('HIT');
    await sleep(250);
    expect((await app.inject('/products/7')).headers['x-cache']).toBe('MISS');
  });

  it('DELETE /cache flushes only this prefix and requires the admin token when one is set', async () => {
    const app = await fx.build({ ...catalog, admin: { token: 's3cret' } });
    await app.inject('/products/1');
    await app.inject('/products?page=2&size=5');
    expect((await app.inject('/products/1')).headers['x-cache']).toBe('HIT');
    const denied = await app.inject({ method: 'DELETE', url: '/cache' });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['www-authenticate']).toMatch(/^Bearer/);
    const ok = await app.inject({ method: 'DELETE', url: '/cache', headers: { authorization: 'Bearer s3cret' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ flushed: 2 });
    expect((await app.inject('/products/1')).headers['x-cache']).toBe('MISS');
  });

  it('pages products and validates paging and ids', async () => {
    const app = await fx.build({ ...catalog, catalog: { originLatencyMs: 0, productCount: 12 } });
    const p = await app.inject('/products?page=3&size=5');
    expect(p.statusCode).toBe(200);
    expect(p.headers['x-cache']).toBe('MISS');
    const body = p.json() as { page: number; total: number; pages: number; items: { id: number }[] };
    expect(body).toMatchObject({ page: 3, size: 5, total: 12, pages: 3 });
    expect(body.items.map((i) => i.id)).toEqual([11, 12]);
    expect((await app.inject('/products?page=3&size=5')).headers['x-cache']).toBe('HIT');
    expect((await app.inject('/products?size=0')).statusCode).toBe(400);
    expect((await app.inject('/products?size=101')).statusCode).toBe(400);
    expect((await app.inject('/products?page=abc')).statusCode).toBe(400);
    expect((await app.inject('/products/abc')).statusCode).toBe(400);
    expect((await app.inject('/products/13')).statusCode).toBe(404);
  });

  it('--break cache: never stores, every read is a MISS', async () => {
    const app = await fx.build({ ...catalog, catalog: { originLatencyMs: 0 }, breaks: ['cache'] });
    for (let i = 0; i < 3; i++) expect((await app.inject('/products/5')).headers['x-cache']).toBe('MISS');
  });

  it('counts hits and misses in /metrics', async () => {
    const app = await fx.build({ ...catalog, catalog: { originLatencyMs: 0 } });
    await app.inject('/products/3');
    await app.inject('/products/3');
    await app.inject('/products/3');
    const text = (await app.inject('/metrics')).body;
    expect(text).toContain('rampart_mocks_catalog_cache_lookups_total{result="miss"} 1');
    expect(text).toContain('rampart_mocks_catalog_cache_lookups_total{result="hit"} 2');
    expect(text).toMatch(/rampart_mocks_http_request_duration_seconds_count\{method="GET",route="\/products\/:id",status="200"\} 3/);
  });
});

describe('per-service build()', () => {
  it('catalog.build and payments.build serve only their service', async () => {
    const { build: buildCatalog } = await import('../../mocks/catalog/index.js');
    const { build: buildPayments } = await import('../../mocks/payments/index.js');
    const base = { redisUrl: testRedisUrl(), keyPrefix: fx.prefix, logLevel: 'silent' as const };
    const c = await buildCatalog({ config: { ...base, catalog: { originLatencyMs: 0 } }, processMetrics: false });
    const p = await buildPayments({ config: base, processMetrics: false });
    try {
      expect((await c.inject('/products/1')).statusCode).toBe(200);
      expect((await c.inject({ method: 'POST', url: '/payments', payload: { amount: 1 } })).statusCode).toBe(404);
      expect((await p.inject({ method: 'POST', url: '/payments', payload: { amount: 1 } })).statusCode).toBe(201);
      expect((await p.inject('/products/1')).statusCode).toBe(404);
    } finally {
      await c.close();
      await p.close();
    }
  });
});
