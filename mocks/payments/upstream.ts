import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { SharedJson, type Clock } from '../common/shared-json.js';
import { redisKey } from '../common/redis.js';

/** The flaky upstream's behaviour, switchable at runtime through `PUT /admin/upstream`. */
export interface UpstreamSettings {
  /** Fraction of calls that fail, 0..1. */
  readonly failureRate: number;
  /** Latency of every call, ms. */
  readonly latencyMs: number;
}

/** Validates a (partial) settings body over `base`. */
export function parseUpstreamSettings(raw: unknown, base: UpstreamSettings): { settings: UpstreamSettings } | { problems: string[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problems: ['body must be a JSON object'] };
  const o = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (k !== 'failureRate' && k !== 'latencyMs') problems.push(`unknown field ${JSON.stringify(k)}`);
  const failureRate = o.failureRate ?? base.failureRate;
  const latencyMs = o.latencyMs ?? base.latencyMs;
  if (typeof failureRate !== 'number' || !(failureRate >= 0 && failureRate <= 1)) problems.push('failureRate must be a number in [0, 1]');
  if (typeof latencyMs !== 'number' || !Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
    problems.push('latencyMs must be an integer in [0, 60000]');
  }
  if (problems.length > 0) return { problems };
  return { settings: { failureRate: failureRate as number, latencyMs: latencyMs as number } };
}

/** An upstream failure (the payment provider said no). */
export class UpstreamError extends Error {
  readonly code = 'EUPSTREAM';
  constructor() {
    super('upstream payment provider failed');
    this.name = 'UpstreamError';
  }
}

/** What the upstream returns for an accepted charge. */
export interface Authorization {
  readonly authorization: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The flaky payment provider, in process: each call waits `latencyMs` and fails with probability
 * `failureRate`. Settings live in Redis (`<prefix>payments:upstream`, shared by all instances, cached
 * per instance like faults); the configured defaults apply when none are stored or Redis is down.
 */
export class Upstream {
  private readonly stored: SharedJson<UpstreamSettings>;

  constructor(
    redis: Redis,
    keyPrefix: string,
    readonly defaults: UpstreamSettings,
    cacheMs: number,
    private readonly random: () => number = Math.random,
    now: Clock = Date.now,
  ) {
    const parse = (raw: unknown): UpstreamSettings | undefined => {
      const r = parseUpstreamSettings(raw, defaults);
      return 'settings' in r ? r.settings : undefined;
    };
    this.stored = new SharedJson(redis, redisKey(keyPrefix, 'payments', 'upstream'), cacheMs, parse, now);
  }

  /** Settings in force now. Never rejects. */
  async settings(): Promise<UpstreamSettings> {
    return (await this.stored.get()) ?? this.defaults;
  }

  /** Stores settings for every instance. Rejects when Redis is down. */
  set(s: UpstreamSettings): Promise<void> {
    return this.stored.set(s);
  }

  /** Back to the configured defaults for every instance. Rejects when Redis is down. */
  reset(): Promise<void> {
    return this.stored.clear();
  }

  /** One charge. Rejects with UpstreamError on an injected failure. */
  async charge(): Promise<Authorization> {
    const s = await this.settings();
    if (s.latencyMs > 0) await sleep(s.latencyMs);
    if (s.failureRate > 0 && this.random() < s.failureRate) throw new UpstreamError();
    return { authorization: randomUUID() };
  }
}
