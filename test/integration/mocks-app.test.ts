import { afterEach, describe, expect, inject, it } from 'vitest';
import { MocksFixture, eventually } from '../unit/mocks/helpers.js';

const fx = new MocksFixture();
afterEach(() => fx.closeAll());

describe('all services in one app (real Redis and Kafka)', () => {
  it('serves catalog, orders and payments, reports redis and kafka readiness and every service metric', async () => {
    const app = await fx.build({
      kafkaBrokers: inject('kafkaBrokers'),
      catalog: { originLatencyMs: 0 },
      orders: { topic: `rampart.test.${fx.prefix.split(':')[2]}`, groupId: `rampart-test-${fx.prefix.split(':')[2]}`, processingMs: 0 },
    });
    await eventually(async () => (await app.inject('/health/ready')).statusCode === 200, 20_000, 'ready');
    const ready = (await app.inject('/health/ready')).json() as { ready: boolean; checks: Record<string, { ok: boolean }> };
    expect(Object.keys(ready.checks).sort()).toEqual(['kafka', 'redis']);
    expect((await app.inject('/health/live')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/products/1')).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/payments', payload: { amount: 2 } })).statusCode).toBe(201);
    const order = await app.inject({ method: 'POST', url: '/orders', payload: { productId: 1, qty: 1, email: 'a@example.com' } });
    expect(order.statusCode).toBe(202);
    const metrics = await app.inject('/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('rampart_mocks_catalog_cache_lookups_total');
    expect(metrics.body).toContain('rampart_mocks_payments_circuit_state');
    expect(metrics.body).toMatch(/rampart_mocks_orders_\w+/);
    expect(metrics.body).toMatch(/route="\/orders"/);
  }, 60_000);

  it('faults reach orders through the app-level hook', async () => {
    const app = await fx.build({ services: ['orders'], kafkaBrokers: inject('kafkaBrokers'), admin: { enabled: true }, faultsCacheMs: 0 });
    await app.inject({ method: 'PUT', url: '/admin/faults/orders', payload: { outage: true } });
    const r = await app.inject('/orders/abc');
    expect(r.statusCode).toBe(503);
    expect(r.headers['x-fault']).toBe('outage');
  }, 60_000);
});
