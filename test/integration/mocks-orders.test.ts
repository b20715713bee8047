import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { build, startOrdersWorker } from '../../mocks/orders/index.js';
import type { OrdersWorker } from '../../mocks/orders/index.js';
import { testRedisUrl, uniquePrefix } from '../unit/mocks/helpers.js';
import { OrdersFixture, newWorld, postOrder, statusOf, testKafkaBrokers, waitAllFinished } from './mocks-orders-helpers.js';

const fx = new OrdersFixture();
const workers: OrdersWorker[] = [];
const extraRedis: Redis[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await fx.closeAll();
  extraRedis.splice(0).forEach((r) => r.disconnect());
});

describe('orders service on a real Kafka and Redis', () => {
  it('queues a job, a consumer processes it to done, and the metrics and readiness show it', async () => {
    const world = newWorld();
    const s = await fx.build(world);
    const r = await postOrder(s.app, { productId: 'sku-1', qty: 2, email: 'buyer@shop.test' });
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('queued');
    const jobId = String(r.body.jobId);

    const [rec] = await waitAllFinished(s.app, [jobId], 30_000);
    expect(rec).toMatchObject({ jobId, status: 'done', productId: 'sku-1', qty: 2, email: 'buyer@shop.test', doneCount: 1, attempts: 1 });

    const metrics = await s.registry.metrics();
    expect(metrics).toMatch(/rampart_mocks_orders_produced_total 1\b/);
    expect(metrics).toMatch(/rampart_mocks_orders_consumed_total 1\b/);
    expect(metrics).toMatch(/rampart_mocks_orders_done_total 1\b/);
    expect(metrics).toMatch(/rampart_mocks_orders_processing_seconds_count 1\b/);
    expect(metrics).toMatch(/rampart_mocks_orders_producer_breaker_state 0\b/);

    // Lag is sampled from committed offsets: it drops to 0 once the job's offset is committed.
    const end = Date.now() + 15_000;
    let lagLines: string[] = [];
    while (Date.now() < end) {
      lagLines = (await s.registry.metrics()).split('\n').filter((l) => l.startsWith('rampart_mocks_orders_consumer_lag{'));
      if (lagLines.length === 3 && lagLines.every((l) => l.endsWith(' 0'))) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(lagLines).toHaveLength(3);
    expect(lagLines.every((l) => l.endsWith(' 0'))).toBe(true);

    const ready = await s.readiness.run();
    expect(ready.checks.kafka).toMatchObject({ ok: true });
    expect((await s.app.inject({ method: 'GET', url: '/orders/stats' })).json()).toMatchObject({ accepted: 1, done: 1, failed: 0, producer: 'closed' });
  }, 60_000);

  it('answers 400 for invalid bodies through the full mocks app, and 404 for an unknown job', async () => {
    const app = await build({
      processMetrics: false,
      config: { redisUrl: testRedisUrl(), kafkaBrokers: testKafkaBrokers(), keyPrefix: uniquePrefix(), logLevel: 'silent', orders: { topic: newWorld().topic } },
    });
    expect((await app.inject({ method: 'GET', url: '/products/1' })).statusCode).toBe(404);
    try {
      const bad = await app.inject({ method: 'POST', url: '/orders', payload: { productId: 'p', qty: 0 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ message: string }>().message).toMatch(/qty must be >= 1/);
      const missing = await app.inject({ method: 'POST', url: '/orders', payload: { qty: 1 } });
      expect(missing.statusCode).toBe(400);
      expect(missing.json<{ message: string }>().message).toMatch(/productId is required/);
      expect((await app.inject({ method: 'GET', url: '/orders/does-not-exist' })).statusCode).toBe(404);
      const ok = await app.inject({ method: 'POST', url: '/orders', payload: { productId: 'p', qty: 1 } });
      expect(ok.statusCode).toBe(202);
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.json()).toMatchObject({ checks: { kafka: { ok: true } } });
      expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/rampart_mocks_orders_produced_total 1\b/);
    } finally {
      const t0 = Date.now();
      await app.close();
      expect(Date.now() - t0).toBeLessThan(10_000);
    }
  }, 60_000);

  it('two instances on one Redis and one Kafka see each other\'s orders, and no job is done twice', async () => {
    const world = newWorld();
    const a = await fx.build(world, { settings: { concurrency: 4 } });
    const b = await fx.build(world, { settings: { concurrency: 4 } });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await postOrder(i % 2 === 0 ? a.app : b.app, { productId: `p-${i}`, qty: 1 + i });
      expect(r.status).toBe(202);
      ids.push(String(r.body.jobId));
    }
    // Each instance reads the jobs the other accepted.
    const fromB = await statusOf(b.app, ids[0] ?? '');
    expect(fromB).toMatchObject({ jobId: ids[0], productId: 'p-0' });
    const finished = await waitAllFinished(a.app, ids, 45_000);
    expect(finished.every((f) => f.status === 'done' && f.doneCount === 1)).toBe(true);
    const stats = (await b.app.inject({ method: 'GET', url: '/orders/stats' })).json<{ accepted: number; done: number }>();
    expect(stats.accepted).toBe(20);
    expect(stats.done).toBe(20);
    // Both consumers took part once the group settled, or one did it all: either way the sum is 20.
    const consumed = async (reg: typeof a.registry): Promise<number> =>
      Number(/rampart_mocks_orders_done_total (\d+)/.exec(await reg.metrics())?.[1] ?? 0);
    expect((await consumed(a.registry)) + (await consumed(b.registry))).toBe(20);
  }, 90_000);

  it('with the consumer broken, accepted jobs stay queued and the lag shows them', async () => {
    const world = newWorld();
    const s = await fx.build(world, { config: { breaks: ['consumer'] } });
    expect(s.handle.worker?.broken).toBe(true);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await postOrder(s.app);
      expect(r.status).toBe(202);
      ids.push(String(r.body.jobId));
    }
    const end = Date.now() + 15_000;
    let lag = 0;
    while (Date.now() < end) {
      lag = (await s.registry.metrics())
        .split('\n')
        .filter((l) => l.startsWith('rampart_mocks_orders_consumer_lag{'))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
      if (lag >= 3) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(lag).toBe(3);
    for (const id of ids) expect(await statusOf(s.app, id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await s.registry.metrics()).toMatch(/rampart_mocks_orders_consumed_total 0\b/);
  }, 60_000);

  it('a service without its in-process consumer relies on a stand-alone worker; a failure rate of 1 fails every job', async () => {
    const world = newWorld();
    const s = await fx.build(world, { settings: { inProcessWorker: false } });
    expect(s.handle.worker).toBeUndefined();
    const redis = new Redis(testRedisUrl(), { lazyConnect: true });
    await redis.connect();
    extraRedis.push(redis);
    const r = await postOrder(s.app);
    const jobId = String(r.body.jobId);
    await new Promise((res) => setTimeout(res, 500));
    expect(await statusOf(s.app, jobId)).toMatchObject({ status: 'queued' });

    const outcomes: string[] = [];
    const worker = await startOrdersWorker({
      redis,
      kafkaBrokers: testKafkaBrokers(),
      settings: { ...s.handle.settings, failureRate: 1, workMs: 5 },
      onProcessed: (_id, outcome) => outcomes.push(outcome),
    });
    workers.push(worker);
    await worker.joined;
    const [rec] = await waitAllFinished(s.app, [jobId], 30_000);
    expect(rec).toMatchObject({ status: 'failed', error: 'simulated processing failure', doneCount: 0 });
    expect(outcomes).toEqual(['failed']);
    const t0 = Date.now();
    await worker.stop();
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 60_000);

  it('runs as a stand-alone worker process from its entry, and stops cleanly on SIGTERM', async () => {
    const world = newWorld();
    const s = await fx.build(world, { settings: { inProcessWorker: false } });
    const r = await postOrder(s.app);
    const jobId = String(r.body.jobId);
    const child = spawn(process.execPath, ['--import', 'tsx', 'mocks/orders/worker-main.ts'], {
      env: {
        ...process.env,
        REDIS_URL: testRedisUrl(),
        KAFKA_BROKERS: testKafkaBrokers(),
        MOCKS_KEY_PREFIX: world.prefix,
        ORDERS_TOPIC: world.topic,
        ORDERS_GROUP: world.groupId,
        ORDERS_PROCESSING_MS: '5',
        MOCKS_LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    try {
      const [rec] = await waitAllFinished(s.app, [jobId], 45_000);
      expect(rec).toMatchObject({ status: 'done', doneCount: 1 });
    } finally {
      child.kill('SIGTERM');
    }
    const t0 = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(stderr).not.toMatch(/Error/);
  }, 60_000);

  it('the worker entry refuses a bad setting with exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'mocks/orders/worker-main.ts'], {
      env: { ...process.env, ORDERS_FAILURE_RATE: '2', KAFKA_BROKERS: testKafkaBrokers(), REDIS_URL: testRedisUrl() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/orders\.failureRate must be a number in \[0, 1\], got 2/);
  }, 30_000);
});
