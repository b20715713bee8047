/**
 * The Redis side of a run: one client per process, shared by every VU. Commands fail fast while
 * Redis is away (no offline queue, one connection attempt per command at most), each bounded by
 * the block's timeout, so a Redis that is down fails only the `redis` steps, with class `refused`
 * or `timeout`, and never stalls the run.
 */
import type { Redis } from 'ioredis';
import type { RedisCommand, RedisPlan } from '../scenario/plan.js';
import { bounded, classifyProtocolError } from '../kafka/errors.js';

/** ioredis, loaded on first use: a run without `redis` steps does not pay for it. */
let ioredis: Promise<{ Redis: typeof Redis }> | undefined;
const loadIoRedis = (): Promise<{ Redis: typeof Redis }> => (ioredis ??= import('ioredis').then((m) => ({ Redis: m.Redis })));

/** One command as a step sends it. */
export interface RedisCall {
  readonly command: RedisCommand;
  readonly key: string;
  readonly field?: string;
  readonly value?: string;
  readonly ttlMs?: number;
  /** keys: at most this many. */
  readonly limit: number;
}

export class RedisHub {
  private client: Promise<Redis> | undefined;
  /** The last connection error ioredis emitted: what a failed connect really was (ECONNREFUSED, …). */
  private lastError: Error | undefined;

  constructor(readonly plan: RedisPlan) {}

  private get(): Promise<Redis> {
    this.client ??= loadIoRedis().then(({ Redis }) => {
      const r = new Redis(this.plan.url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: this.plan.timeoutMs,
        commandTimeout: this.plan.timeoutMs,
        // Reconnects are driven by the next command, not by a timer loop.
        retryStrategy: () => null,
      });
      r.on('error', (err: Error) => (this.lastError = err));
      return r;
    });
    return this.client;
  }

  private async connected(): Promise<Redis> {
    const r = await this.get();
    if (r.status === 'ready') return r;
    if (r.status === 'end' || r.status === 'wait') {
      if (r.status === 'end') {
        this.client = undefined;
        return this.connected();
      }
      this.lastError = undefined;
      await r.connect().catch((err: unknown) => {
        throw this.lastError ?? err;
      });
      return r;
    }
    await new Promise<void>((resolve, reject) => {
      r.once('ready', () => resolve());
      r.once('end', () => reject(this.lastError ?? Object.assign(new Error('Connection is closed.'), { code: 'ECONNREFUSED' })));
    });
    return r;
  }

  /** Loads the client and connects ahead of the load; a failure is left for the steps to meet. */
  async prepare(): Promise<void> {
    await bounded(this.connected(), this.plan.timeoutMs, 'redis: connecting').catch(() => this.drop());
  }

  /** Sends one command; resolves to the reply. Throws a ProtocolError (class refused, timeout, protocol, …). */
  async call(c: RedisCall, signal?: AbortSignal): Promise<unknown> {
    try {
      return await bounded(this.send(c), this.plan.timeoutMs, `redis: ${c.command} ${c.key}`, signal);
    } catch (err) {
      const e = classifyProtocolError(err);
      // The connection is gone: the next command makes a new one.
      if (e.cls === 'refused' || e.cls === 'timeout' || e.cls === 'reset') this.drop();
      throw e;
    }
  }

  private async send(c: RedisCall): Promise<unknown> {
    const r = await this.connected();
    switch (c.command) {
      case 'get':
        return r.get(c.key);
      case 'exists':
        return r.exists(c.key);
      case 'ttl':
        return r.ttl(c.key);
      case 'pttl':
        return r.pttl(c.key);
      case 'hget':
        return r.hget(c.key, c.field ?? '');
      case 'hgetall':
        return r.hgetall(c.key);
      case 'llen':
        return r.llen(c.key);
      case 'xlen':
        return r.xlen(c.key);
      case 'del':
        return r.del(c.key);
      case 'set':
        return c.ttlMs !== undefined ? r.set(c.key, c.value ?? '', 'PX', c.ttlMs) : r.set(c.key, c.value ?? '');
      case 'keys': {
        // A bounded SCAN, never KEYS: at most `limit` keys, at most 100 round trips.
        const found: string[] = [];
        let cursor = '0';
        for (let round = 0; round < 100; round++) {
          const [next, keys] = await r.scan(cursor, 'MATCH', c.key, 'COUNT', 1000);
          for (const k of keys) if (found.length < c.limit && !found.includes(k)) found.push(k);
          cursor = next;
          if (cursor === '0' || found.length >= c.limit) break;
        }
        return found;
      }
    }
  }

  private drop(): void {
    const c = this.client;
    this.client = undefined;
    void c?.then((r) => r.disconnect()).catch(() => undefined);
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c === undefined) return;
    const r = await c.catch(() => undefined);
    if (r === undefined) return;
    await bounded(r.quit(), 1000, 'redis: closing').catch(() => r.disconnect());
  }
}
