import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { OrderJob } from '../../../mocks/orders/job.js';
import { silentLog } from '../../../mocks/orders/kafka-client.js';
import { ordersMetrics } from '../../../mocks/orders/metrics.js';
import { guardedProducer, ProduceError } from '../../../mocks/orders/producer.js';
import type { SendJob } from '../../../mocks/orders/producer.js';
import { resolveOrdersSettings } from '../../../mocks/orders/settings.js';

const job: OrderJob = { jobId: 'j', productId: 1, qty: 1, createdAt: '2026-01-01T00:00:00.000Z' };
const settings = resolveOrdersSettings({ produceTimeoutMs: 200, breakerResetMs: 300, breakerVolume: 2, breakerErrorPercent: 50 });

async function reasonOf(p: Promise<void>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(ProduceError);
    return (err as ProduceError).reason;
  }
}

describe('guardedProducer', () => {
  it('opens after failed sends, then refuses at once without calling Kafka, and closes after a good trial send', async () => {
    const registry = new Registry();
    const metrics = ordersMetrics(registry);
    let healthy = false;
    let calls = 0;
    const send: SendJob = async () => {
      calls++;
      if (!healthy) throw new Error('ECONNREFUSED');
    };
    const p = guardedProducer(send, settings, metrics, silentLog);
    try {
      expect(await reasonOf(p.produce(job))).toBe('error');
      expect(await reasonOf(p.produce(job))).toBe('error');
      expect(p.state()).toBe('open');
      expect((await metrics.breakerState.get()).values[0]?.value).toBe(2);

      const before = calls;
      const t0 = performance.now();
      const refused = p.produce(job);
      await expect(refused).rejects.toMatchObject({ reason: 'open', retryAfterSeconds: 1 });
      expect(performance.now() - t0).toBeLessThan(50);
      expect(calls).toBe(before);

      healthy = true;
      await new Promise((r) => setTimeout(r, 350));
      expect(p.state()).toBe('half-open');
      await p.produce(job);
      expect(p.state()).toBe('closed');
      expect((await metrics.breakerState.get()).values[0]?.value).toBe(0);
      const text = await registry.metrics();
      expect(text).toMatch(/rampart_mocks_orders_produced_total 1\b/);
      expect(text).toMatch(/rampart_mocks_orders_produce_failures_total\{reason="error"\} 2\b/);
      expect(text).toMatch(/rampart_mocks_orders_produce_failures_total\{reason="open"\} 1\b/);
    } finally {
      await p.close();
    }
  });

  it('opens after a run of consecutive failures even when a healthy spell dilutes the window', async () => {
    const metrics = ordersMetrics(new Registry());
    let healthy = true;
    const p = guardedProducer(async () => {
      if (!healthy) throw new Error('broker gone');
    }, settings, metrics, silentLog);
    try {
      for (let i = 0; i < 20; i++) await p.produce(job);
      healthy = false;
      expect(await reasonOf(p.produce(job))).toBe('error');
      expect(await reasonOf(p.produce(job))).toBe('error');
      expect(p.state()).toBe('closed');
      expect(await reasonOf(p.produce(job))).toBe('error');
      expect(p.state()).toBe('open');
      expect(await reasonOf(p.produce(job))).toBe('open');
    } finally {
      await p.close();
    }
  });

  it('gives up on a send slower than the timeout, within the timeout', async () => {
    const metrics = ordersMetrics(new Registry());
    const send: SendJob = () => new Promise((r) => setTimeout(r, 2_000));
    const p = guardedProducer(send, settings, metrics, silentLog);
    try {
      const t0 = performance.now();
      expect(await reasonOf(p.produce(job))).toBe('timeout');
      const took = performance.now() - t0;
      expect(took).toBeGreaterThanOrEqual(190);
      expect(took).toBeLessThan(1_000);
    } finally {
      await p.close();
    }
  });

  it('disconnects on close', async () => {
    let disconnected = false;
    const p = guardedProducer(async () => {}, settings, ordersMetrics(new Registry()), silentLog, async () => {
      disconnected = true;
    });
    await p.close();
    expect(disconnected).toBe(true);
  });
});
