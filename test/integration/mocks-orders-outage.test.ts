/**
 * The orders service while its Kafka broker goes away and comes back: a private broker (started
 * here, on its own ports and data folder) is stopped and restarted with the same data.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servicePaths, startKafka } from '../../scripts/services/index.js';
import type { KafkaInstance } from '../../scripts/services/index.js';
import { OrdersFixture, newWorld, postOrder, waitAllFinished } from './mocks-orders-helpers.js';

const fx = new OrdersFixture();
let broker: KafkaInstance | undefined;
mkdirSync(servicePaths().instances, { recursive: true });
const base = mkdtempSync(join(servicePaths().instances, 'orders-outage-'));
const dataDir = join(base, 'data');

afterAll(async () => {
  await fx.closeAll();
  await broker?.stop();
  rmSync(base, { recursive: true, force: true });
  rmSync(`${dataDir}-run`, { recursive: true, force: true });
}, 60_000);

describe('orders with Kafka down', () => {
  it('answers 503 + Retry-After fast while the broker is away, and loses no accepted job when it returns', async () => {
    broker = await startKafka({ dataDir, heapMb: 256 });
    const { port, controllerPort } = broker;
    const world = newWorld();
    // Slow work so that jobs are still in flight (claimed, uncommitted) when the broker stops.
    const s = await fx.build(world, { brokers: broker.brokers, config: { orders: { processingMs: 150 } }, settings: { concurrency: 2 } });

    const accepted: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await postOrder(s.app, { productId: `before-${i}`, qty: 1 });
      expect(r.status).toBe(202);
      accepted.push(String(r.body.jobId));
    }

    await broker.stop();

    // Every order while the broker is away gets a 503 with Retry-After within the bound, never a hang.
    const down: Array<{ status: number; ms: number; retryAfter: unknown }> = [];
    for (let i = 0; i < 6; i++) {
      const r = await postOrder(s.app, { productId: `during-${i}`, qty: 1 });
      down.push({ status: r.status, ms: r.ms, retryAfter: r.headers['retry-after'] });
    }
    for (const d of down) {
      expect(d.status).toBe(503);
      expect(Number(d.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(d.ms).toBeLessThan(2_000);
    }
    // Once the breaker is open, refusals are immediate.
    expect(s.handle.producer.state()).toBe('open');
    expect(down.at(-1)?.ms ?? Infinity).toBeLessThan(100);
    const ready = await s.readiness.run();
    expect(ready.checks.kafka?.ok).toBe(false);
    // 503'd orders leave nothing behind: stats count only what was accepted.
    expect((await s.app.inject({ method: 'GET', url: '/orders/stats' })).json()).toMatchObject({ accepted: 12, producer: 'open' });

    broker = await startKafka({ dataDir, port, controllerPort, heapMb: 256 });

    // The breaker lets a trial send through after its reset time; orders are accepted again.
    const end = Date.now() + 45_000;
    let back: Awaited<ReturnType<typeof postOrder>> | undefined;
    while (Date.now() < end) {
      back = await postOrder(s.app, { productId: 'after', qty: 1 });
      expect(back.ms).toBeLessThan(2_000);
      if (back.status === 202) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(back?.status).toBe(202);
    accepted.push(String(back?.body.jobId));
    expect(s.handle.producer.state()).toBe('closed');

    // Every acknowledged job reaches done exactly once.
    const finished = await waitAllFinished(s.app, accepted, 90_000);
    expect(finished.map((f) => f.status)).toEqual(accepted.map(() => 'done'));
    expect(finished.every((f) => f.doneCount === 1)).toBe(true);
    const stats = (await s.app.inject({ method: 'GET', url: '/orders/stats' })).json<{ accepted: number; done: number }>();
    expect(stats.accepted).toBe(accepted.length);
    expect(stats.done).toBe(accepted.length);
    expect(await s.registry.metrics()).toMatch(/rampart_mocks_orders_produce_failures_total\{reason="open"\} \d+/);
  }, 240_000);

  it('starts without Kafka, answers 503 fast, reports not ready, and closes promptly', async () => {
    const t0 = Date.now();
    // Port 1 on loopback: nothing listens there, connections are refused at once.
    const s = await fx.build(newWorld(), { brokers: '127.0.0.1:1' });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await postOrder(s.app);
      codes.push(r.status);
      expect(r.ms).toBeLessThan(2_000);
      expect(r.headers['retry-after']).toBeDefined();
    }
    expect(codes).toEqual([503, 503, 503, 503]);
    expect((await s.readiness.run()).checks.kafka?.ok).toBe(false);
    const t1 = Date.now();
    await s.app.close();
    expect(Date.now() - t1).toBeLessThan(10_000);
  }, 60_000);
});
