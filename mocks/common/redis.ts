import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

/** Options of {@link createRedis}. */
export interface RedisFactoryOptions {
  /** Longest wait for a TCP connection, ms. Default 1000. */
  readonly connectTimeoutMs?: number;
  /** Longest wait for one command's reply, ms. Default 500. */
  readonly commandTimeoutMs?: number;
  /** Logs connection changes (at info/warn); optional. */
  readonly log?: FastifyBaseLogger;
}

/**
 * A Redis client that fails fast and heals by itself: commands reject at once while disconnected
 * (no offline queue, one retry per request, a short command timeout), and the client keeps
 * reconnecting in the background (backoff capped at 1 s). It starts connecting right away; a Redis
 * that is down at start is not an error. Close it with `quit()`/`disconnect()`.
 */
export function createRedis(url: string, opts: RedisFactoryOptions = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: opts.connectTimeoutMs ?? 1000,
    commandTimeout: opts.commandTimeoutMs ?? 500,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    // A restarted Redis forgets script SHAs; ioredis reloads them, nothing else to do here.
  });
  let up = false;
  redis.on('ready', () => {
    if (!up) opts.log?.info({ redis: redactUrl(url) }, 'redis connected');
    up = true;
  });
  redis.on('error', (err: Error) => {
    if (up) opts.log?.warn({ redis: redactUrl(url), err: err.message }, 'redis unavailable, retrying');
    up = false;
  });
  redis.on('end', () => {
    up = false;
  });
  redis.connect().catch(() => {
    /* reconnects by itself; callers see failed commands until it does */
  });
  return redis;
}

/** True when the client is connected and can take commands now. */
export function redisReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

/**
 * Resolves once the client is ready, or after `timeoutMs` (default 1000) either way: a Redis that is
 * down at start delays startup by at most that, then the mocks serve without it (BYPASS, 503 …).
 */
export async function waitForRedis(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
  });
}

/** Closes a client without waiting on a Redis that is down. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      /* fall through to a hard disconnect */
    }
  }
  redis.disconnect(false);
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/** Builds a Redis key under the configured prefix: `key('rampart:', 'catalog', 42)` → `rampart:catalog:42`. */
export function redisKey(prefix: string, ...parts: ReadonlyArray<string | number>): string {
  return prefix + parts.join(':');
}
