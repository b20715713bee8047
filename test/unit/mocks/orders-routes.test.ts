import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OrderJob } from '../../../mocks/orders/job.js';
import { silentLog } from '../../../mocks/orders/kafka-client.js';
import { ProduceError } from '../../../mocks/orders/producer.js';
import type { JobProducer } from '../../../mocks/orders/producer.js';
import { registerOrderRoutes } from '../../../mocks/orders/routes.js';
import { StatusStore } from '../../../mocks/orders/status-store.js';
import { testRedisUrl, uniquePrefix } from './helpers.js';

let redis: Redis;
const prefix = uniquePrefix();
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** A producer double: records what it was given; `fail` makes it throw like the guarded one. */
class FakeProducer implements JobProducer {
  readonly sent: OrderJob[] = [];
  fail: ProduceError | undefined;
  /** Sees the Redis record at send time, to prove `queued` is written first. */
  onSend: ((job: OrderJob) => Promise<void>) | undefined;
  async produce(job: OrderJob): Promise<void> {
    await this.onSend?.(job);
    if (this.fail !== undefined) throw this.fail;
    this.sent.push(job);
  }
  state(): 'closed' | 'half-open' | 'open' {
    return this.fail?.reason === 'open' ? 'open' : 'closed';
  }
  async close(): Promise<void> {}
}

async function build(store = new StatusStore(redis, prefix, 60)): Promise<{ app: FastifyInstance; producer: FakeProducer; store: StatusStore }> {
  const app = Fastify();
  const producer = new FakeProducer();
  registerOrderRoutes(app, { store, producer, log: silentLog });
  await app.ready();
  apps.push(app);
  return { app, producer, store };
}

describe('POST /orders', () => {
  it('records the job as queued before producing it, then answers 202 with its id', async () => {
    const { app, producer, store } = await build();
    let seenAtSend: string | undefined;
    producer.onSend = async (job) => {
      seenAtSend = (await store.get(job.jobId))?.status;
    };
    const res = await app.inject({ method: 'POST', url: '/orders', payload: { productId: 7, qty: 2, email: 'x@y.io' } });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ jobId: string; status: string }>();
    expect(body.status).toBe('queued');
    expect(body.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.location).toBe(`/orders/${body.jobId}`);
    expect(seenAtSend).toBe('queued');
    expect(producer.sent).toEqual([expect.objectContaining({ jobId: body.jobId, productId: '7', qty: 2, email: 'x@y.io' })]);

    const got = await app.inject({ method: 'GET', url: `/orders/${body.jobId}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ jobId: body.jobId, status: 'queued', productId: '7', qty: 2 });
    const stats = await app.inject({ method: 'GET', url: '/orders/stats' });
    expect(stats.json()).toMatchObject({ accepted: 1, producer: 'closed' });
  });

  it.each([
    [{ qty: 1 }, '/productId is required'],
    [{ productId: 'p', qty: 0 }, '/qty must be >= 1'],
    [{ productId: 'p', qty: 'many' }, '/qty must be integer'],
    [{ productId: '', qty: 1 }, '/productId must NOT have fewer than 1 characters'],
    [{ productId: 'x'.repeat(65), qty: 1 }, '/productId must NOT have more than 64 characters'],
    [{ productId: 'p', qty: 10_001 }, '/qty must be <= 10000'],
    [{ productId: 'p', qty: 1, email: 'not-an-email' }, '/email must match format "email"'],
    [[1, 2], '/ must be object'],
  ])('answers 400 with a clear message for %j', async (payload, expected) => {
    const { app, producer } = await build();
    const res = await app.inject({ method: 'POST', url: '/orders', payload });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ message: string; problems: Array<{ path: string; message: string }> }>();
    expect(body.message).toContain('invalid order');
    expect(body.message).toContain(expected);
    expect(body.problems.length).toBeGreaterThan(0);
    expect(producer.sent).toHaveLength(0);
  });

  it('answers 503 with Retry-After when the job cannot be produced, and forgets the job', async () => {
    const { app, producer } = await build();
    let id = '';
    producer.onSend = async (job) => {
      id = job.jobId;
    };
    producer.fail = new ProduceError('open', 2, 'the order queue is unavailable (Kafka unreachable); try again later');
    const res = await app.inject({ method: 'POST', url: '/orders', payload: { productId: 'p', qty: 1 } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ statusCode: 503, retryAfter: 2, message: expect.stringContaining('Kafka') });
    expect((await app.inject({ method: 'GET', url: `/orders/${id}` })).statusCode).toBe(404);
  });

  it('answers 503 at once when Redis is down, without producing', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const { app, producer } = await build(new StatusStore(down, prefix, 60));
    const t0 = performance.now();
    const res = await app.inject({ method: 'POST', url: '/orders', payload: { productId: 'p', qty: 1 } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(producer.sent).toHaveLength(0);
    const get = await app.inject({ method: 'GET', url: '/orders/abc' });
    expect(get.statusCode).toBe(503);
    down.disconnect();
  });
});

describe('GET /orders/:id', () => {
  it('answers 404 for an unknown id', async () => {
    const { app } = await build();
    const res = await app.inject({ method: 'GET', url: '/orders/00000000-0000-0000-0000-000000000000' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ message: expect.stringContaining('no order') });
  });
});
