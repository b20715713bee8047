import { describe, expect, it } from 'vitest';
import { decodeJob, encodeJob, MalformedJobError } from '../../../mocks/orders/job.js';
import type { OrderJob } from '../../../mocks/orders/job.js';
import { defaultOrdersSettings, OrdersSettingsError, resolveOrdersSettings } from '../../../mocks/orders/settings.js';
import { settingsFromConfig } from '../../../mocks/orders/index.js';
import { resolveConfig } from '../../../mocks/common/config-validate.js';

describe('order job codec', () => {
  const job: OrderJob = { jobId: 'j-1', productId: 42, qty: 2, email: 'a@b.io', createdAt: '2026-01-01T00:00:00.000Z' };

  it('round-trips a job through the Kafka message value (string or Buffer)', () => {
    expect(decodeJob(encodeJob(job))).toEqual(job);
    expect(decodeJob(Buffer.from(encodeJob(job)))).toEqual(job);
    const { email: _e, ...noEmail } = job;
    expect(decodeJob(encodeJob(noEmail))).toEqual(noEmail);
    expect(decodeJob(encodeJob({ ...job, productId: 'sku-9' })).productId).toBe('sku-9');
  });

  it.each([
    [null, 'empty'],
    ['not json', 'not JSON'],
    ['[1]', 'jobId'],
    [JSON.stringify({ ...job, jobId: '' }), 'jobId'],
    [JSON.stringify({ ...job, qty: 0 }), 'qty'],
    [JSON.stringify({ ...job, qty: 1.5 }), 'qty'],
    [JSON.stringify({ ...job, productId: null }), 'productId'],
    [JSON.stringify({ ...job, email: 3 }), 'email'],
  ])('rejects a malformed value %j', (value, what) => {
    expect(() => decodeJob(value)).toThrow(MalformedJobError);
    expect(() => decodeJob(value)).toThrow(new RegExp(what));
  });
});

describe('orders settings', () => {
  it('fills defaults, keeps overrides, ignores undefined and freezes the result', () => {
    const s = resolveOrdersSettings({ topic: 't.x', workMs: 5, failureRate: undefined });
    expect(s.topic).toBe('t.x');
    expect(s.workMs).toBe(5);
    expect(s.failureRate).toBe(0);
    expect(s.groupId).toBe(defaultOrdersSettings.groupId);
    expect(Object.isFrozen(s)).toBe(true);
    expect(defaultOrdersSettings.topic).toBe('rampart.orders');
    expect(defaultOrdersSettings.workMs).toBe(50);
  });

  it.each([
    [{ topic: 'bad topic' }, /topic/],
    [{ failureRate: 1.5 }, /failureRate/],
    [{ concurrency: 0 }, /concurrency/],
    [{ workMs: 100, leaseMs: 50 }, /leaseMs/],
    [{ produceTimeoutMs: 0 }, /produceTimeoutMs/],
    [{ partitions: 0 }, /partitions/],
    [{ break: ['cache'] as unknown as ['consumer'] }, /break/],
  ])('rejects %j', (overrides, message) => {
    expect(() => resolveOrdersSettings(overrides)).toThrow(OrdersSettingsError);
    expect(() => resolveOrdersSettings(overrides)).toThrow(message);
  });
});

describe('settingsFromConfig', () => {
  it('maps the mocks configuration onto the orders settings', () => {
    const config = resolveConfig({
      keyPrefix: 'shop:',
      breaks: ['consumer'],
      orders: { topic: 'orders.x', groupId: 'g.x', processingMs: 75, statusTtlMs: 1_500, failureRate: 0.25 },
    });
    const s = resolveOrdersSettings(settingsFromConfig(config));
    expect(s).toMatchObject({ topic: 'orders.x', groupId: 'g.x', workMs: 75, jobTtlSeconds: 2, keyPrefix: 'shop:orders:', break: ['consumer'], failureRate: 0.25 });
    expect(() => resolveConfig({ orders: { failureRate: 1.5 } })).toThrow(/orders\.failureRate/);
    expect(resolveOrdersSettings(settingsFromConfig(resolveConfig({}))).break).toEqual([]);
  });
});
