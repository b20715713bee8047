import type { Redis } from 'ioredis';

/** A clock in ms; injectable for tests. */
export type Clock = () => number;

/**
 * One JSON value stored in Redis under `key` and shared by every instance; each instance caches
 * what it read for `cacheMs` so a hot path costs one Redis round trip per window, not per request.
 * When Redis cannot be read the last value seen is kept (stale beats failing a request).
 */
export class SharedJson<T> {
  private cached: { value: T | undefined; at: number } | undefined;
  private inflight: Promise<T | undefined> | undefined;

  constructor(
    private readonly redis: Redis,
    /** Full Redis key (already prefixed). */
    readonly key: string,
    /** Per-instance cache lifetime, ms; 0 reads Redis every time. */
    private readonly cacheMs: number,
    private readonly parse: (raw: unknown) => T | undefined,
    private readonly now: Clock = Date.now,
  ) {}

  /** The current value (cached up to `cacheMs`), or undefined when none is set. */
  async get(): Promise<T | undefined> {
    const c = this.cached;
    if (c !== undefined && this.now() - c.at < this.cacheMs) return c.value;
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Stores `value` for every instance; this instance sees it at once. Rejects when Redis is down. */
  async set(value: T): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(value));
    this.cached = { value, at: this.now() };
  }

  /** Removes the value for every instance. Rejects when Redis is down. */
  async clear(): Promise<void> {
    await this.redis.del(this.key);
    this.cached = { value: undefined, at: this.now() };
  }

  private async load(): Promise<T | undefined> {
    try {
      const raw = await this.redis.get(this.key);
      const value = raw === null ? undefined : this.parse(JSON.parse(raw) as unknown);
      this.cached = { value, at: this.now() };
      return value;
    } catch {
      // Redis down or garbage in the key: keep the last value, retry after the next window.
      const value = this.cached?.value;
      this.cached = { value, at: this.now() };
      return value;
    }
  }
}
