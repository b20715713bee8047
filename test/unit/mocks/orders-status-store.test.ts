import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderJob } from '../../../mocks/orders/job.js';
import { ordersMetrics } from '../../../mocks/orders/metrics.js';
import { processJob } from '../../../mocks/orders/process-job.js';
import { StatusStore } from '../../../mocks/orders/status-store.js';
import { testRedisUrl, uniquePrefix } from './helpers.js';

let redis: Redis;
const prefix = uniquePrefix();

beforeAll(async () => {
  redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function newJob(): OrderJob {
  return { jobId: randomUUID(), productId: 'p-1', qty: 3, email: 'q@a.dev', createdAt: new Date().toISOString() };
}

describe('StatusStore', () => {
  it('moves a job queued → processing → done once, and a second finish or claim changes nothing', async () => {
    const store = new StatusStore(redis, prefix, 60);
    const job = newJob();
    await store.recordQueued(job);
    expect(await store.get(job.jobId)).toMatchObject({ jobId: job.jobId, status: 'queued', productId: 'p-1', qty: 3, email: 'q@a.dev', attempts: 0, doneCount: 0 });

    expect(await store.claim(job.jobId, 'w1', 5_000)).toBe('claimed');
    expect(await store.get(job.jobId)).toMatchObject({ status: 'processing', attempts: 1 });
    expect(await store.claim(job.jobId, 'w2', 5_000)).toBe('busy');
    expect(await store.finish(job.jobId, 'w2', 'done')).toBe(false);

    expect(await store.finish(job.jobId, 'w1', 'done')).toBe(true);
    expect(await store.finish(job.jobId, 'w1', 'done')).toBe(false);
    expect(await store.claim(job.jobId, 'w3', 5_000)).toBe('finished');
    const rec = await store.get(job.jobId);
    expect(rec).toMatchObject({ status: 'done', doneCount: 1, attempts: 1 });
    expect(rec?.completedAt).toBeDefined();
    expect(await redis.ttl(`${prefix}job:${job.jobId}`)).toBeGreaterThan(0);
  });

  it('keeps numeric product ids numeric and records a failure reason', async () => {
    const store = new StatusStore(redis, prefix, 60);
    const job = { ...newJob(), productId: 17 };
    await store.recordQueued(job);
    await store.claim(job.jobId, 'w', 5_000);
    await store.finish(job.jobId, 'w', 'failed', 'boom');
    expect(await store.get(job.jobId)).toMatchObject({ productId: 17, status: 'failed', error: 'boom', doneCount: 0 });
  });

  it('answers unknown for a job it has no record of, and undefined on get', async () => {
    const store = new StatusStore(redis, prefix, 60);
    expect(await store.claim('nope', 'w', 1_000)).toBe('unknown');
    expect(await store.get('nope')).toBeUndefined();
  });

  it('lets another worker take over once a lease passed, and the late holder cannot finish', async () => {
    const store = new StatusStore(redis, prefix, 60);
    const job = newJob();
    await store.recordQueued(job);
    expect(await store.claim(job.jobId, 'slow', 50)).toBe('claimed');
    await new Promise((r) => setTimeout(r, 80));
    expect(await store.claim(job.jobId, 'fast', 5_000)).toBe('claimed');
    expect(await store.finish(job.jobId, 'slow', 'done')).toBe(false);
    expect(await store.finish(job.jobId, 'fast', 'done')).toBe(true);
    expect(await store.get(job.jobId)).toMatchObject({ status: 'done', doneCount: 1, attempts: 2 });
  });

  it('lets a holder whose lease passed unnoticed still finish, when nobody took over', async () => {
    const store = new StatusStore(redis, prefix, 60);
    const job = newJob();
    await store.recordQueued(job);
    await store.claim(job.jobId, 'only', 30);
    await new Promise((r) => setTimeout(r, 60));
    expect(await store.finish(job.jobId, 'only', 'done')).toBe(true);
  });

  it('discards an unsent job only while nobody has claimed it', async () => {
    const store = new StatusStore(redis, prefix, 60);
    const a = newJob();
    await store.recordQueued(a);
    expect(await store.discardUnsent(a.jobId)).toBe(true);
    expect(await store.get(a.jobId)).toBeUndefined();
    const b = newJob();
    await store.recordQueued(b);
    await store.claim(b.jobId, 'w', 5_000);
    expect(await store.discardUnsent(b.jobId)).toBe(false);
    expect(await store.get(b.jobId)).toBeDefined();
  });
});

describe('processJob', () => {
  const sharedPrefix = `${prefix}proc:`;
  const fast = { workerId: 't', workMs: 20, failureRate: 0, leaseMs: 5_000, busyPollMs: 10 };

  it('processes a job to done and skips every redelivery, even concurrent ones', async () => {
    const store = new StatusStore(redis, sharedPrefix, 60);
    const registry = new Registry();
    const metrics = ordersMetrics(registry);
    const job = newJob();
    await store.recordQueued(job);
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => processJob(job, { store, metrics, ...fast })));
    expect(outcomes.filter((o) => o === 'done')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'skipped')).toHaveLength(3);
    expect(await processJob(job, { store, metrics, ...fast })).toBe('skipped');
    expect(await store.get(job.jobId)).toMatchObject({ status: 'done', doneCount: 1 });
    const text = await registry.metrics();
    expect(text).toMatch(/rampart_mocks_orders_done_total 1\b/);
    expect(text).toMatch(/rampart_mocks_orders_redelivered_total 4\b/);
    expect(text).toMatch(/rampart_mocks_orders_processing_seconds_count 1\b/);
  });

  it('fails a job when the draw falls under the failure rate, and counts it', async () => {
    const store = new StatusStore(redis, sharedPrefix, 60);
    const registry = new Registry();
    const metrics = ordersMetrics(registry);
    const a = newJob();
    const b = newJob();
    await store.recordQueued(a);
    await store.recordQueued(b);
    expect(await processJob(a, { store, metrics, ...fast, failureRate: 0.5, random: () => 0.49 })).toBe('failed');
    expect(await processJob(b, { store, metrics, ...fast, failureRate: 0.5, random: () => 0.5 })).toBe('done');
    expect(await store.get(a.jobId)).toMatchObject({ status: 'failed', doneCount: 0 });
    expect(await registry.metrics()).toMatch(/rampart_mocks_orders_failed_total 1\b/);
    const stats = await store.stats();
    expect(stats.failed).toBeGreaterThanOrEqual(1);
  });

  it('skips a job Redis never accepted, and leaves a held job for redelivery when stopping', async () => {
    const store = new StatusStore(redis, sharedPrefix, 60);
    const metrics = ordersMetrics(new Registry());
    expect(await processJob(newJob(), { store, metrics, ...fast })).toBe('unknown');
    const held = newJob();
    await store.recordQueued(held);
    await store.claim(held.jobId, 'other', 5_000);
    await expect(processJob(held, { store, metrics, ...fast, isRunning: () => false })).rejects.toThrow(/redelivery/);
  });

  it('rejects (so the message is not committed) when Redis is unavailable', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const store = new StatusStore(down, sharedPrefix, 60);
    await expect(processJob(newJob(), { store, metrics: ordersMetrics(new Registry()), ...fast })).rejects.toThrow();
    down.disconnect();
  });
});
