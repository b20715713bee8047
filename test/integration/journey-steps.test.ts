import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/index.js';
import { createDataFeeds, createVu, createVuShared, HookFailedError, type VuOptions } from '../../src/journey/index.js';
import { createRegistry } from '../../src/metrics/index.js';
import type { Plan, Step } from '../../src/scenario/plan.js';
import { capJson, check, countOf, journey, jsonEq, plan, POS, request, status, sumOf, tagsOf, tpl, tval } from '../support/journey-plans.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

let server: TargetServer;
const clients: HttpClient[] = [];

beforeAll(async () => {
  server = await startTargetServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

function harness(p: Plan, extra: Partial<VuOptions> = {}) {
  const sink = createRegistry();
  const client = createHttpClient({ http: p.http, target: p.target });
  clients.push(client);
  const logs: string[] = [];
  const ac = new AbortController();
  const vu = createVu({
    plan: p,
    id: 7,
    client,
    sink,
    data: createDataFeeds(p.data, { random: Math.random }),
    globals: {},
    phase: () => 'steady',
    random: () => 0.5,
    signal: ac.signal,
    log: (l) => logs.push(l),
    shared: createVuShared(),
    ...extra,
  });
  return { vu, sink, logs, ac, snap: () => sink.cumulative() };
}

describe('a VU running journeys against a real server', () => {
  it('captures across steps and renders them into later requests', async () => {
    const j = journey('buy', [
      request('GET', '/json', { name: 'product', expect: [status(200)], captures: [capJson('productId', '$.id'), capJson('firstItem', '$.items[0].id')] }),
      request('POST', '/echo', {
        name: 'order',
        body: { kind: 'json', value: tval({ productId: '{{ productId }}', item: '{{ firstItem }}', vu: '{{ vu.id }}' }) },
        headers: [['x-product', tpl('p-{{ productId }}')]],
        query: [['q', tpl('{{ productId }}')]],
        expect: [status(200), jsonEq('$.body', { productId: 42, item: 1, vu: 7 })],
        captures: [capJson('echoedHeader', '$.headers.x-product'), capJson('url', '$.url')],
      }),
    ]);
    const h = harness(plan(server.url, [j]));
    const outcome = await h.vu.runIteration(j);
    expect(h.logs).toEqual([]);
    expect(outcome).toBe('completed');
    const s = h.snap();
    expect(countOf(s, 'http.requests', { journey: 'buy' })).toBe(2);
    expect(countOf(s, 'journeys.completed', { journey: 'buy', phase: 'steady' })).toBe(1);
    expect(countOf(s, 'journey.duration', { journey: 'buy' })).toBe(1);
    expect(sumOf(s, 'expectations', { step: 'order' })).toBe(1);
    const vars = await h.vu.runSteps([
      request('GET', '/json', { captures: [capJson('n', '$.name')] }),
      { kind: 'set', vars: [['greeting', tval('hi {{ n }}')]], pos: POS },
    ]);
    expect(vars).toEqual({ n: 'widget', greeting: 'hi widget' });
  });

  it('tags requests with journey, step, group (nested a::b), method, status, phase and custom tags', async () => {
    const j = journey('browse', [
      { kind: 'group', name: 'shop', pos: POS, steps: [
        { kind: 'group', name: 'cart', pos: POS, steps: [request('GET', '/json', { name: 'view', tags: { team: 'web' } })] },
      ] },
    ], { tier: 'gold' });
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('completed');
    expect(tagsOf(h.snap(), 'http.latency')).toEqual([
      { journey: 'browse', step: 'view', group: 'shop::cart', method: 'GET', status: '200', phase: 'steady', team: 'web', tier: 'gold' },
    ]);
  });

  it('ends the iteration on a failed expectation; checks are rates that never end it', async () => {
    const after = request('GET', '/json', { name: 'after' });
    const j = journey('strict', [
      request('GET', '/json', { name: 'soft', checks: [check('is_201', status(201)), check('is_200', status(200))] }),
      request('GET', '/status/404', { name: 'hard', expect: [status(200)] }),
      after,
    ]);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('failed');
    const s = h.snap();
    expect(countOf(s, 'checks', { check: 'is_201' })).toBe(1);
    expect(sumOf(s, 'checks', { check: 'is_201' })).toBe(0);
    expect(sumOf(s, 'checks', { check: 'is_200' })).toBe(1);
    expect(countOf(s, 'expectations', { step: 'hard', error: 'expectation' })).toBe(1);
    expect(countOf(s, 'http.requests', { step: 'after' })).toBe(0);
    expect(countOf(s, 'journeys.failed', { journey: 'strict' })).toBe(1);
    expect(countOf(s, 'http.errors', { step: 'hard', status: '404', error: '4xx' })).toBe(1);
    expect(h.logs.join('\n')).toMatch(/strict › hard: expectation failed: status: expected 200, got 404/);
  });

  it('does not count an explicitly expected 4xx as an http error', async () => {
    const j = journey('missing', [request('GET', '/status/404', { name: 'gone', expect: [status(404)] })]);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('completed');
    const s = h.snap();
    expect(countOf(s, 'http.errors', { step: 'gone' })).toBe(1);
    expect(sumOf(s, 'http.errors', { step: 'gone' })).toBe(0);
    expect(tagsOf(s, 'http.errors')[0]?.['error']).toBeUndefined();
  });

  it('fails the iteration when a required capture is missing, not when an optional one is', async () => {
    const ok = journey('opt', [request('GET', '/json', { captures: [capJson('nope', '$.missing', true)] })]);
    const bad = journey('req', [request('GET', '/json', { name: 'cap', captures: [capJson('nope', '$.missing')] })]);
    const h = harness(plan(server.url, [ok, bad]));
    expect(await h.vu.runIteration(ok)).toBe('completed');
    expect(await h.vu.runIteration(bad)).toBe('failed');
    const good = journey('req-ok', [request('GET', '/json', { name: 'cap', captures: [capJson('id', '$.id')] })]);
    expect(await h.vu.runIteration(good)).toBe('completed');
    const s = h.snap();
    expect(countOf(s, 'expectations', { step: 'cap', error: 'capture' })).toBe(1);
    expect(countOf(s, 'expectations', { step: 'cap' })).toBe(2);
    expect(sumOf(s, 'expectations', { step: 'cap' })).toBe(1);
  });

  it('runs loop (count and over), if (compare and chance), set, log and metric steps', async () => {
    const steps: Step[] = [
      { kind: 'set', vars: [['ids', tval([3, 5])], ['mode', tval('fast')]], pos: POS },
      { kind: 'loop', as: 'i', count: 2, pos: POS, steps: [request('GET', '/echo?n={{ i }}', { name: 'count-loop' })] },
      { kind: 'loop', as: 'id', over: tval('{{ ids }}'), pos: POS, steps: [
        request('GET', '/echo', { name: 'over-loop', query: [['id', tpl('{{ id }}')], ['at', tpl('{{ id_index }}')]], captures: [capJson('lastUrl', '$.url')] }),
      ] },
      { kind: 'if', pos: POS, condition: { kind: 'compare', left: tpl('{{ mode }}'), cmp: { op: 'equals', value: tval('fast') } },
        then: [{ kind: 'log', message: tpl('fast path, last {{ lastUrl }}'), pos: POS }], else: [request('GET', '/json', { name: 'slow-path' })] },
      { kind: 'if', pos: POS, condition: { kind: 'chance', probability: 0.4 }, then: [request('GET', '/json', { name: 'lucky' })], else: [] },
      { kind: 'metric', metric: 'cart.value', type: 'trend', value: tval('{{ ids[1] }}'), tags: { source: 'test' }, pos: POS },
      { kind: 'metric', metric: 'cart.orders', type: 'counter', value: tval(2), tags: {}, pos: POS },
      { kind: 'metric', metric: 'cart.ok', type: 'rate', value: tval(true), tags: {}, pos: POS },
    ];
    const j = journey('flow', steps);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('completed');
    const s = h.snap();
    expect(countOf(s, 'http.requests', { step: 'count-loop' })).toBe(2);
    expect(countOf(s, 'http.requests', { step: 'over-loop' })).toBe(2);
    expect(countOf(s, 'http.requests', { step: 'slow-path' })).toBe(0);
    expect(countOf(s, 'http.requests', { step: 'lucky' })).toBe(0); // random() = 0.5 ≥ 0.4
    expect(h.logs).toEqual(['[vu 7] fast path, last /echo?id=5&at=1']);
    expect(countOf(s, 'cart.value', { journey: 'flow', source: 'test' })).toBe(1);
    expect(sumOf(s, 'cart.orders')).toBe(2);
    expect(sumOf(s, 'cart.ok')).toBe(1);
  });

  it('a template that cannot render fails the iteration with a clear log line', async () => {
    const j = journey('broken', [request('GET', '/json?x={{ nothing }}', { name: 'needs-var' })]);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('failed');
    expect(h.logs[0]).toMatch(/broken › needs-var: .*nothing is not defined/);
    await expect(h.vu.runSteps([request('GET', '/json?x={{ nothing }}')])).rejects.toBeInstanceOf(HookFailedError);
  });

  it('throttles failure logs across the VUs sharing caches', async () => {
    const j = journey('failing', [request('GET', '/status/500', { name: 'boom', expect: [status(200)] })]);
    const p = plan(server.url, [j]);
    const shared = createVuShared();
    const a = harness(p, { shared });
    const logs: string[] = [];
    const b = harness(p, { shared, log: (l) => logs.push(l) });
    expect(await a.vu.runIteration(j)).toBe('failed');
    expect(await b.vu.runIteration(j)).toBe('failed');
    expect(await b.vu.runIteration(j)).toBe('failed');
    expect(a.logs).toHaveLength(1);
    expect(logs).toHaveLength(0);
    shared.failureLog.lastMs = -Infinity; // as if the interval had passed
    expect(await b.vu.runIteration(j)).toBe('failed');
    expect(logs).toEqual([expect.stringMatching(/failing › boom: expectation failed: status: expected 200, got 500 \(2 more failures not logged\)$/)]);
  });

  it('thinks for the planned time and is interrupted by the signal', async () => {
    const j = journey('slowpoke', [{ kind: 'think', minMs: 5_000, maxMs: 5_000, pos: POS }, request('GET', '/json')]);
    const h = harness(plan(server.url, [j]));
    const t0 = Date.now();
    setTimeout(() => h.ac.abort(), 50);
    expect(await h.vu.runIteration(j)).toBe('interrupted');
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(countOf(h.snap(), 'journeys.completed')).toBe(0);
  });

  it('interrupts a request in flight', async () => {
    const j = journey('hang', [request('GET', '/hang')]);
    const h = harness(plan(server.url, [j]));
    setTimeout(() => h.ac.abort(), 50);
    expect(await h.vu.runIteration(j)).toBe('interrupted');
  });

  it('records http.latency_scheduled for the first request from the scheduled instant', async () => {
    const j = journey('open', [request('GET', '/json', { name: 'first' }), request('GET', '/json', { name: 'second' })]);
    const h = harness(plan(server.url, [j]));
    const scheduled = performance.timeOrigin + performance.now() - 500; // the arrival was 500 ms late
    expect(await h.vu.runIteration(j, scheduled)).toBe('completed');
    const s = h.snap();
    const series = s.series.filter((x) => x.metric === 'http.latency_scheduled');
    expect(series).toHaveLength(1);
    expect(series[0]?.tags['step']).toBe('first');
    expect(series[0]?.min).toBeGreaterThanOrEqual(500_000);
  });
});
