import type { Redis } from 'ioredis';
import { redisKey } from '../common/redis.js';

/** What the cache did for one read: served it, missed (origin read and stored), or was unavailable. */
export type CacheResult = 'HIT' | 'MISS' | 'BYPASS';

/** Options of {@link CacheAside}. */
export interface CacheAsideOptions {
  readonly redis: Redis;
  /** Key prefix (config.keyPrefix); keys are `<prefix>catalog:<name>`. */
  readonly keyPrefix: string;
  /** Entry lifetime, ms. */
  readonly ttlMs: number;
  /** The `--break cache` twin: never store, so every read is a MISS. */
  readonly neverStore?: boolean;
}

/**
 * Cache-aside over Redis: read the key; on a miss load from the origin and store with a TTL.
 * A Redis error never fails the read: the origin answers and the result is `BYPASS`. The client
 * reconnects by itself, so HITs resume once Redis is back, with no restart.
 */
export class CacheAside {
  constructor(private readonly o: CacheAsideOptions) {}

  /** Full key of cache entry `name`. */
  key(name: string): string {
    return redisKey(this.o.keyPrefix, 'catalog', name);
  }

  /** The cached value of `name`, or `load()`'s (stored unless undefined). */
  async read<T>(name: string, load: () => Promise<T | undefined>): Promise<{ value: T | undefined; cache: CacheResult }> {
    const key = this.key(name);
    let cached: string | null;
    try {
      cached = await this.o.redis.get(key);
    } catch {
      return { value: await load(), cache: 'BYPASS' };
    }
    if (cached !== null) {
      try {
        return { value: JSON.parse(cached) as T, cache: 'HIT' };
      } catch {
        /* a corrupt entry is a miss; it is overwritten below */
      }
    }
    const value = await load();
    if (value !== undefined && this.o.neverStore !== true) {
      try {
        await this.o.redis.set(key, JSON.stringify(value), 'PX', this.o.ttlMs);
      } catch {
        return { value, cache: 'BYPASS' };
      }
    }
    return { value, cache: 'MISS' };
  }

  /** Deletes every catalog entry (all instances share them); resolves to the number removed. */
  async flush(): Promise<number> {
    let cursor = '0';
    let removed = 0;
    const pattern = `${escapeGlob(this.key(''))}*`;
    do {
      const [next, keys] = await this.o.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await this.o.redis.del(...keys);
    } while (cursor !== '0');
    return removed;
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
