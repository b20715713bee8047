import Fastify from 'fastify';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { Faults, NO_FAULTS, parseFaultSpec } from '../../../mocks/common/faults.js';
import { SharedJson } from '../../../mocks/common/shared-json.js';
import { adminGuard } from '../../../mocks/common/admin-auth.js';
import { ReadinessRegistry } from '../../../mocks/common/health.js';

/** The three commands SharedJson uses, over a Map; `down` makes them reject like a dead Redis. */
function fakeRedis() {
  const data = new Map<string, string>();
  const state = { down: false, gets: 0 };
  const check = (): void => {
    if (state.down) throw new Error('Connection is closed.');
  };
  const redis = {
    get: async (k: string) => (check(), state.gets++, data.get(k) ?? null),
    set: async (k: string, v: string) => (check(), data.set(k, v), 'OK'),
    del: async (k: string) => (check(), data.delete(k) ? 1 : 0),
  } as unknown as Redis;
  return { redis, data, state };
}

describe('parseFaultSpec', () => {
  it('fills missing fields with no fault', () => {
    expect(parseFaultSpec({ latencyMs: 10 })).toEqual({ spec: { latencyMs: 10, errorRate: 0, outage: false } });
    expect(parseFaultSpec({})).toEqual({ spec: NO_FAULTS });
  });
  it('lists every problem', () => {
    const r = parseFaultSpec({ latencyMs: -5, errorRate: 'x', outage: 1, extra: true });
    expect('problems' in r && r.problems).toHaveLength(4);
    expect(parseFaultSpec(null)).toEqual({ problems: ['body must be a JSON object'] });
  });
});

describe('SharedJson', () => {
  it('caches reads for cacheMs, then reads again', async () => {
    const f = fakeRedis();
    let now = 0;
    const s = new SharedJson<number>(f.redis, 'k', 250, (v) => (typeof v === 'number' ? v : undefined), () => now);
    f.data.set('k', '1');
    expect(await s.get()).toBe(1);
    f.data.set('k', '2');
    now = 249;
    expect(await s.get()).toBe(1);
    now = 250;
    expect(await s.get()).toBe(2);
    expect(f.state.gets).toBe(2);
  });

  it('keeps the last value when Redis is down; set/clear reject', async () => {
    const f = fakeRedis();
    let now = 0;
    const s = new SharedJson<number>(f.redis, 'k', 10, (v) => (typeof v === 'number' ? v : undefined), () => now);
    await s.set(7);
    f.state.down = true;
    now = 100;
    expect(await s.get()).toBe(7);
    await expect(s.set(8)).rejects.toThrow();
    await expect(s.clear()).rejects.toThrow();
  });

  it('ignores garbage in the key', async () => {
    const f = fakeRedis();
    const s = new SharedJson<number>(f.redis, 'k', 0, (v) => (typeof v === 'number' ? v : undefined));
    f.data.set('k', '{not json');
    expect(await s.get()).toBeUndefined();
  });
});

describe('Faults hook', () => {
  async function appWith(faults: Faults) {
    const app = Fastify();
    app.addHook('onRequest', faults.hook('catalog'));
    app.get('/x', async () => ({ ok: true }));
    await app.ready();
    return app;
  }

  it('passes requests through without faults, answers 503 on outage and 500 by error rate', async () => {
    const f = fakeRedis();
    let r = 0.5;
    const faults = new Faults(f.redis, 'p:', 0, Date.now, () => r);
    const app = await appWith(faults);
    expect((await app.inject('/x')).statusCode).toBe(200);
    await faults.set('catalog', { latencyMs: 0, errorRate: 0.4, outage: false });
    expect(f.data.get('p:faults:catalog')).toBeDefined();
    expect((await app.inject('/x')).statusCode).toBe(200);
    r = 0.3;
    const err = await app.inject('/x');
    expect(err.statusCode).toBe(500);
    expect(err.headers['x-fault']).toBe('error');
    await faults.set('catalog', { latencyMs: 30, errorRate: 0, outage: true });
    const t0 = performance.now();
    const out = await app.inject('/x');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(28);
    expect(out.statusCode).toBe(503);
    expect(out.headers['retry-after']).toBe('1');
    await faults.clear('catalog');
    expect(await faults.get('catalog')).toEqual(NO_FAULTS);
    expect(await faults.get('payments')).toEqual(NO_FAULTS);
    await app.close();
  });
});

describe('adminGuard', () => {
  it('requires the bearer token when one is configured', async () => {
    const app = Fastify();
    app.get('/a', { preHandler: adminGuard({ enabled: true, token: 'abc' }) }, async () => 'ok');
    app.get('/open', { preHandler: adminGuard({ enabled: true }) }, async () => 'ok');
    expect((await app.inject('/a')).statusCode).toBe(401);
    expect((await app.inject({ url: '/a', headers: { authorization: 'Bearer abd' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/a', headers: { authorization: 'Bearer abcd' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/a', headers: { authorization: 'bearer abc' } })).statusCode).toBe(200);
    expect((await app.inject('/open')).statusCode).toBe(200);
    await app.close();
  });
});

describe('ReadinessRegistry', () => {
  it('is ready only when every check passes; a slow or throwing check fails', async () => {
    const r = new ReadinessRegistry();
    r.add('a', async () => ({ ok: true }));
    expect((await r.run()).ready).toBe(true);
    r.add('slow', () => new Promise((res) => setTimeout(() => res({ ok: true }), 500)));
    r.add('boom', async () => {
      throw new Error('nope');
    });
    const out = await r.run(50);
    expect(out.ready).toBe(false);
    expect(out.checks.slow).toEqual({ ok: false, detail: 'no answer within 50 ms' });
    expect(out.checks.boom).toEqual({ ok: false, detail: 'nope' });
    expect(out.checks.a).toEqual({ ok: true });
  });
});

describe('Faults hook exemptions', () => {
  it('leaves routes with config.faults === false alone', async () => {
    const f = fakeRedis();
    const faults = new Faults(f.redis, 'p:', 0);
    await faults.set('catalog', { latencyMs: 0, errorRate: 1, outage: true });
    const app = Fastify();
    app.addHook('onRequest', faults.hook('catalog'));
    app.get('/status', { config: { faults: false } }, async () => 'ok');
    app.get('/x', async () => 'ok');
    expect((await app.inject('/status')).statusCode).toBe(200);
    expect((await app.inject('/x')).statusCode).toBe(503);
    await app.close();
  });
});
