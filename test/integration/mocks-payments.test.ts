import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { MocksFixture, eventually, sleep } from '../unit/mocks/helpers.js';

const fx = new MocksFixture();
afterEach(() => fx.closeAll());

const pay = (app: FastifyInstance, amount: unknown = 10) => app.inject({ method: 'POST', url: '/payments', payload: { amount } });

/** A payments app whose breaker opens after 4 calls at > 50 % failures and probes after 300 ms. */
function payments(extra: Record<string, unknown> = {}) {
  return fx.build({
    services: ['payments'],
    admin: { enabled: true },
    faultsCacheMs: 0,
    payments: { upstreamLatencyMs: 0, volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 300, rollingWindowMs: 10_000, callTimeoutMs: 200, ...extra },
  });
}

describe('payments circuit breaker', () => {
  it('closed → open under failures → fast fallback → half-open probe → closed on recovery', async () => {
    const app = await payments();
    const ok = await pay(app);
    expect(ok.statusCode).toBe(201);
    expect(ok.headers['x-circuit']).toBe('closed');
    expect(ok.json()).toMatchObject({ status: 'captured', amount: 10, currency: 'EUR' });

    expect((await app.inject({ method: 'PUT', url: '/admin/upstream', payload: { failureRate: 1 } })).statusCode).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await pay(app)).statusCode);
    // 1 success + 3 failures = 4 calls (the volume threshold) at 75 % failed: the 4th request finds it open.
    expect(statuses).toEqual([502, 502, 502, 503]);
    const circuit = (await app.inject('/payments/circuit')).json() as { state: string; stats: { transitions: { open: number } } };
    expect(circuit.state).toBe('open');
    expect(circuit.stats.transitions.open).toBe(1);

    // While open: fast, no upstream call, 503 + Retry-After, x-circuit: open.
    await app.inject({ method: 'PUT', url: '/admin/upstream', payload: { failureRate: 0, latencyMs: 150 } });
    // (150 ms upstream latency, 200 ms call timeout: a fallback that waited on the upstream would show it)
    const t0 = performance.now();
    const fallback = await pay(app);
    expect(performance.now() - t0).toBeLessThan(120);
    expect(fallback.statusCode).toBe(503);
    expect(fallback.headers['x-circuit']).toBe('open');
    expect(Number(fallback.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // After the reset timeout: half-open; one probe passes (slowly), concurrent calls still fail fast.
    await eventually(async () => ((await app.inject('/payments/circuit')).json() as { state: string }).state === 'half-open', 2000, 'half-open');
    const [probe, concurrent] = await Promise.all([pay(app), sleep(20).then(() => pay(app))]);
    expect(concurrent.statusCode).toBe(503);
    expect(probe.statusCode).toBe(201);
    expect(probe.headers['x-circuit']).toBe('closed');
    const after = (await app.inject('/payments/circuit')).json() as { state: string; stats: { transitions: Record<string, number> } };
    expect(after.state).toBe('closed');
    expect(after.stats.transitions).toEqual({ open: 1, halfOpen: 1, close: 1 });
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toContain('rampart_mocks_payments_circuit_transitions_total{to="open"} 1');
    expect(metrics).toContain('rampart_mocks_payments_circuit_state 0');
  });

  it('a failed half-open probe opens the circuit again', async () => {
    const app = await payments();
    await app.inject({ method: 'PUT', url: '/admin/upstream', payload: { failureRate: 1 } });
    for (let i = 0; i < 4; i++) await pay(app);
    await eventually(async () => ((await app.inject('/payments/circuit')).json() as { state: string }).state === 'half-open', 2000, 'half-open');
    const probe = await pay(app);
    expect(probe.statusCode).toBe(502);
    expect(probe.headers['x-circuit']).toBe('open');
    const state = ((await app.inject('/payments/circuit')).json() as { state: string; stats: { transitions: Record<string, number> } });
    expect(state.state).toBe('open');
    expect(state.stats.transitions).toEqual({ open: 2, halfOpen: 1, close: 0 });
  });

  it('upstream slower than callTimeoutMs counts as a failure (504)', async () => {
    const app = await payments({ upstreamLatencyMs: 400 });
    const r = await pay(app);
    expect(r.statusCode).toBe(504);
    expect(r.headers['x-circuit']).toBe('closed');
  });

  it('fallback 202 answers deferred while open', async () => {
    const app = await payments({ fallback: '202', upstreamFailureRate: 1 });
    for (let i = 0; i < 4; i++) await pay(app);
    const r = await pay(app);
    expect(r.statusCode).toBe(202);
    expect(r.headers['x-circuit']).toBe('open');
    expect(r.json()).toMatchObject({ status: 'deferred', amount: 10 });
  });

  it('--break breaker: never opens, every call waits on the failing upstream', async () => {
    const upstream = { upstreamFailureRate: 1, upstreamLatencyMs: 40, volumeThreshold: 2 };
    // The healthy twin opens after two failures and then answers fast.
    const healthy = await fx.build({ services: ['payments'], payments: upstream });
    const healthyCodes: number[] = [];
    for (let i = 0; i < 8; i++) healthyCodes.push((await pay(healthy)).statusCode);
    expect(healthyCodes.filter((c) => c === 503)).toHaveLength(6);
    const broken = await fx.build({ services: ['payments'], breaks: ['breaker'], payments: upstream });
    for (let i = 0; i < 8; i++) {
      const t0 = performance.now();
      const r = await pay(broken);
      expect(r.statusCode).toBe(502);
      expect(r.headers['x-circuit']).toBe('disabled');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    }
    expect(((await broken.inject('/payments/circuit')).json() as { state: string }).state).toBe('disabled');
  });

  it('rejects invalid payments with 400 and still sets x-circuit', async () => {
    const app = await payments();
    for (const body of [{}, { amount: -1 }, { amount: 'x' }, { amount: 5, currency: 'euro' }]) {
      const r = await app.inject({ method: 'POST', url: '/payments', payload: body });
      expect(r.statusCode).toBe(400);
      expect(r.headers['x-circuit']).toBe('closed');
    }
  });
});
