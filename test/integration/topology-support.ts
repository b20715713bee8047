/** Shared pieces of the gateway topology tests: the test Redis/Kafka, a fresh key prefix, cleanup. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import type { MocksConfigInput } from '../../mocks/common/config.js';

/** Settings every topology instance of a test file shares: the test services and a private prefix. */
export function topologyConfig(extra: MocksConfigInput = {}): MocksConfigInput {
  const id = randomUUID().slice(0, 8);
  return {
    redisUrl: inject('redisUrl'),
    kafkaBrokers: inject('kafkaBrokers'),
    keyPrefix: `rampart:test:${id}:`,
    logLevel: 'silent',
    ...extra,
    // A private topic and group, so no other test's consumers take these jobs.
    orders: { topic: `rampart.test.${id}`, groupId: `rampart-test-${id}`, processingMs: 5, ...extra.orders },
  };
}

/** Deletes every Redis key under `prefix`. */
export async function dropKeys(prefix: string): Promise<void> {
  const r = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    const keys = await r.keys(`${prefix}*`);
    if (keys.length > 0) await r.del(...keys);
  } finally {
    r.disconnect();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
