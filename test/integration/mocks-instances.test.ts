import { afterEach, describe, expect, it } from 'vitest';
import { startMocks, type RunningMocks } from '../../mocks/server.js';
import type { MocksConfigInput } from '../../mocks/common/config.js';
import { MocksFixture, sleep, testRedisUrl } from '../unit/mocks/helpers.js';

const fx = new MocksFixture();
const running: RunningMocks[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
  await fx.closeAll();
});

/** Two listening instances on two ports sharing one Redis and one key prefix. */
async function twoInstances(config: MocksConfigInput): Promise<[RunningMocks, RunningMocks]> {
  const base: MocksConfigInput = { redisUrl: testRedisUrl(), keyPrefix: fx.prefix, logLevel: 'silent', port: 0, services: ['catalog', 'payments'], ...config };
  const a = await startMocks({ config: base, processMetrics: false });
  running.push(a);
  const b = await startMocks({ config: base, processMetrics: false });
  running.push(b);
  expect(a.port).not.toBe(b.port);
  return [a, b];
}

describe('two instances behave as one', () => {
  it('share the rate limit through Redis: 429 + Retry-After once the joint budget is spent', async () => {
    const [a, b] = await twoInstances({ rateLimit: { enabled: true, max: 6, windowMs: 10_000 }, catalog: { originLatencyMs: 0 } });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await fetch(`${a.url}/products/1`)).status);
    for (let i = 0; i < 3; i++) codes.push((await fetch(`${b.url}/products/1`)).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 200]);
    const limitedA = await fetch(`${a.url}/products/1`);
    const limitedB = await fetch(`${b.url}/products/1`);
    expect(limitedA.status).toBe(429);
    expect(limitedB.status).toBe(429);
    expect(Number(limitedB.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limitedB.json()) as { message: string }).message).toMatch(/rate limit exceeded/);
    // Health and metrics are never limited.
    expect((await fetch(`${a.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${b.url}/metrics`)).status).toBe(200);
  });

  it('rate limiting is off by default', async () => {
    const [a] = await twoInstances({ catalog: { originLatencyMs: 0 } });
    const codes = await Promise.all(Array.from({ length: 50 }, () => fetch(`${a.url}/products/2`).then((r) => r.status)));
    expect(codes.every((c) => c === 200)).toBe(true);
  });

  it('a fault set through one instance is seen by the other within the cache window; DELETE clears it', async () => {
    const [a, b] = await twoInstances({ admin: { enabled: true, token: 'tok' }, faultsCacheMs: 250, catalog: { originLatencyMs: 0 } });
    const auth = { authorization: 'Bearer tok', 'content-type': 'application/json' };
    expect((await fetch(`${b.url}/products/3`)).status).toBe(200);
    const denied = await fetch(`${a.url}/admin/faults/catalog`, { method: 'PUT', body: '{"outage":true}', headers: { 'content-type': 'application/json' } });
    expect(denied.status).toBe(401);
    const put = await fetch(`${a.url}/admin/faults/catalog`, { method: 'PUT', body: JSON.stringify({ outage: true }), headers: auth });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ service: 'catalog', faults: { latencyMs: 0, errorRate: 0, outage: true } });
    await sleep(300);
    const down = await fetch(`${b.url}/products/3`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.headers.get('x-fault')).toBe('outage');
    // Only catalog is affected; payments on the same instance still works.
    expect((await fetch(`${b.url}/payments`, { method: 'POST', body: '{"amount":1}', headers: { 'content-type': 'application/json' } })).status).toBe(201);
    const read = await fetch(`${b.url}/admin/faults/catalog`, { headers: auth });
    expect(((await read.json()) as { faults: { outage: boolean } }).faults.outage).toBe(true);
    expect((await fetch(`${b.url}/admin/faults/catalog`, { method: 'DELETE', headers: { authorization: 'Bearer tok' } })).status).toBe(204);
    await sleep(300);
    expect((await fetch(`${a.url}/products/3`)).status).toBe(200);
  });

  it('injected latency and error rate apply on both instances', async () => {
    const [a, b] = await twoInstances({ admin: { enabled: true }, faultsCacheMs: 0, catalog: { originLatencyMs: 0 } });
    await fetch(`${a.url}/admin/faults/catalog`, { method: 'PUT', body: JSON.stringify({ latencyMs: 120 }), headers: { 'content-type': 'application/json' } });
    const t0 = performance.now();
    expect((await fetch(`${b.url}/products/4`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    await fetch(`${b.url}/admin/faults/catalog`, { method: 'PUT', body: JSON.stringify({ errorRate: 1 }), headers: { 'content-type': 'application/json' } });
    const r = await fetch(`${a.url}/products/4`);
    expect(r.status).toBe(500);
    expect(r.headers.get('x-fault')).toBe('error');
    const bad = await fetch(`${a.url}/admin/faults/catalog`, { method: 'PUT', body: JSON.stringify({ errorRate: 2, bogus: 1 }), headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { problems: string[] }).problems).toHaveLength(2);
    expect((await fetch(`${a.url}/admin/faults/nope`)).status).toBe(404);
  });

  it('the upstream settings set through one instance drive payments on the other', async () => {
    const [a, b] = await twoInstances({ admin: { enabled: true }, faultsCacheMs: 0 });
    const put = await fetch(`${a.url}/admin/upstream`, { method: 'PUT', body: JSON.stringify({ failureRate: 1 }), headers: { 'content-type': 'application/json' } });
    expect(await put.json()).toEqual({ failureRate: 1, latencyMs: 20 });
    const r = await fetch(`${b.url}/payments`, { method: 'POST', body: '{"amount":3}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(502);
    expect((await fetch(`${b.url}/admin/upstream`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await fetch(`${a.url}/admin/upstream`)).json()).toEqual({ failureRate: 0, latencyMs: 20 });
  });

  it('share the catalog cache: a MISS on one is a HIT on the other', async () => {
    const [a, b] = await twoInstances({ catalog: { originLatencyMs: 0 } });
    expect((await fetch(`${a.url}/products/9`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${b.url}/products/9`)).headers.get('x-cache')).toBe('HIT');
  });

  it('admin is absent unless enabled', async () => {
    const [a] = await twoInstances({});
    expect((await fetch(`${a.url}/admin/faults`)).status).toBe(404);
  });
});
