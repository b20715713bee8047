import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { CacheAside } from '../../../mocks/catalog/cache.js';

/** GET/SET over a Map, with switches to make either command fail like a dead Redis. */
function fakeRedis() {
  const data = new Map<string, string>();
  const fail = { get: false, set: false };
  const redis = {
    get: async (k: string) => {
      if (fail.get) throw new Error('Connection is closed.');
      return data.get(k) ?? null;
    },
    set: async (k: string, v: string, px: string, ttl: number) => {
      if (fail.set) throw new Error('Command timed out');
      expect(px).toBe('PX');
      expect(ttl).toBe(1000);
      data.set(k, v);
      return 'OK';
    },
  } as unknown as Redis;
  return { redis, data, fail };
}

describe('CacheAside', () => {
  const load = (v: unknown) => async () => v;

  it('MISS stores under the prefixed key, then HIT', async () => {
    const f = fakeRedis();
    const c = new CacheAside({ redis: f.redis, keyPrefix: 'p:', ttlMs: 1000 });
    expect(await c.read('product:1', load({ id: 1 }))).toEqual({ value: { id: 1 }, cache: 'MISS' });
    expect([...f.data.keys()]).toEqual(['p:catalog:product:1']);
    expect(await c.read('product:1', load({ id: 999 }))).toEqual({ value: { id: 1 }, cache: 'HIT' });
  });

  it('does not store an absent value (404s are not cached)', async () => {
    const f = fakeRedis();
    const c = new CacheAside({ redis: f.redis, keyPrefix: 'p:', ttlMs: 1000 });
    expect((await c.read('product:0', load(undefined))).cache).toBe('MISS');
    expect(f.data.size).toBe(0);
  });

  it('BYPASS when Redis cannot be read or written; a corrupt entry is a MISS and is replaced', async () => {
    const f = fakeRedis();
    const c = new CacheAside({ redis: f.redis, keyPrefix: 'p:', ttlMs: 1000 });
    f.fail.get = true;
    expect(await c.read('a', load(1))).toEqual({ value: 1, cache: 'BYPASS' });
    f.fail.get = false;
    f.fail.set = true;
    expect(await c.read('a', load(2))).toEqual({ value: 2, cache: 'BYPASS' });
    f.fail.set = false;
    f.data.set('p:catalog:a', '{broken');
    expect(await c.read('a', load(3))).toEqual({ value: 3, cache: 'MISS' });
    expect(f.data.get('p:catalog:a')).toBe('3');
  });

  it('neverStore (--break cache) always misses', async () => {
    const f = fakeRedis();
    const c = new CacheAside({ redis: f.redis, keyPrefix: 'p:', ttlMs: 1000, neverStore: true });
    expect((await c.read('a', load(1))).cache).toBe('MISS');
    expect((await c.read('a', load(1))).cache).toBe('MISS');
    expect(f.data.size).toBe(0);
  });
});
