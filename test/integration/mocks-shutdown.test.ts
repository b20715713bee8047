import { afterEach, describe, expect, it } from 'vitest';
import { startMocks, type RunningMocks } from '../../mocks/server.js';
import { MocksFixture, sleep, testRedisUrl } from '../unit/mocks/helpers.js';

const fx = new MocksFixture();
let mocks: RunningMocks | undefined;
afterEach(async () => {
  await mocks?.close();
  mocks = undefined;
  await fx.closeAll();
});

describe('graceful shutdown', () => {
  it('drops no in-flight request under load, then refuses new connections', async () => {
    mocks = await startMocks({
      processMetrics: false,
      config: {
        redisUrl: testRedisUrl(),
        keyPrefix: fx.prefix,
        port: 0,
        logLevel: 'silent',
        services: ['catalog'],
        breaks: ['cache'],
        catalog: { originLatencyMs: 400 },
      },
    });
    const url = mocks.url;
    let received = 0;
    mocks.app.server.on('request', () => received++);
    const inflight = Array.from({ length: 40 }, (_, i) =>
      fetch(`${url}/products/${i + 1}`).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: number } })),
    );
    const t0 = Date.now();
    while (received < 40 && Date.now() - t0 < 3000) await sleep(10);
    expect(received).toBe(40);
    const tClose = Date.now();
    const closed = mocks.close();
    const results = await Promise.all(inflight);
    await closed;
    // Drained as soon as the last answer left (not after shutdownTimeoutMs, 10 s by default).
    expect(Date.now() - tClose).toBeLessThan(3000);
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 40 }, () => 200));
    expect(results.map((r) => r.body.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });

  it('close() is idempotent and bounded by shutdownTimeoutMs when a request hangs', async () => {
    mocks = await startMocks({
      processMetrics: false,
      config: { redisUrl: testRedisUrl(), keyPrefix: fx.prefix, port: 0, logLevel: 'silent', services: ['catalog'], shutdownTimeoutMs: 300, admin: { enabled: true }, faultsCacheMs: 0 },
    });
    await fetch(`${mocks.url}/admin/faults/catalog`, { method: 'PUT', body: '{"latencyMs":5000}', headers: { 'content-type': 'application/json' } });
    const hanging = fetch(`${mocks.url}/products/1`).then((r) => r.status, () => 'dropped');
    await sleep(100);
    const t0 = Date.now();
    await Promise.all([mocks.close(), mocks.close()]);
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(await hanging).toBe('dropped');
    await fx.closeAll();
  });
});
