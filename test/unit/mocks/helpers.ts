import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { buildMocks, type BuildMocksOptions } from '../../../mocks/app.js';
import type { MocksConfigInput } from '../../../mocks/common/config.js';

/** The test Redis (global setup), falling back to the machine's. */
export function testRedisUrl(): string {
  try {
    return inject('redisUrl');
  } catch {
    return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  }
}

/** A key prefix no other test shares. */
export function uniquePrefix(): string {
  return `rampart:test:${randomUUID().slice(0, 8)}:`;
}

/** Builds an app on the test Redis with a fresh prefix and quiet logs; tracks it for `closeAll`. */
export class MocksFixture {
  readonly prefix = uniquePrefix();
  private readonly apps: FastifyInstance[] = [];

  async build(config: MocksConfigInput = {}, opts: Omit<BuildMocksOptions, 'config'> = {}): Promise<FastifyInstance> {
    const app = await buildMocks({
      processMetrics: false,
      ...opts,
      config: { redisUrl: testRedisUrl(), keyPrefix: this.prefix, logLevel: 'silent', ...config },
    });
    this.apps.push(app);
    return app;
  }

  /** Closes every app and deletes the keys under this fixture's prefix. */
  async closeAll(): Promise<void> {
    await Promise.all(this.apps.splice(0).map((a) => a.close()));
    const r = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
      const keys = await r.keys(`${this.prefix}*`);
      if (keys.length > 0) await r.del(...keys);
    } finally {
      r.disconnect();
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `probe` resolves true (polling every 50 ms) or throws after `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
