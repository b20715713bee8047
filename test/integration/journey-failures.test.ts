import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/index.js';
import { createDataFeeds, createVu, createVuShared, type VuOptions } from '../../src/journey/index.js';
import { createRegistry } from '../../src/metrics/index.js';
import type { DataFeed, Plan, RetryPlan } from '../../src/scenario/plan.js';
import { capJson, countOf, journey, jsonEq, plan, POS, request, status, sumOf, tagsOf, tpl } from '../support/journey-plans.js';
import { refusedPort, startTargetServer, type TargetServer } from '../support/target-server.js';

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
  const logs: string[] = [];
  let client: HttpClient | undefined;
  if (extra.clientFactory === undefined) {
    client = createHttpClient({ http: p.http, target: p.target });
    clients.push(client);
  }
  const data = createDataFeeds(p.data, { random: Math.random });
  const vu = createVu({
    plan: p, id: 1, client, sink, data, globals: {}, phase: () => 'main', random: () => 0.5,
    signal: new AbortController().signal, log: (l) => logs.push(l), shared: createVuShared(), ...extra,
  });
  return { vu, sink, logs, data, snap: () => sink.cumulative() };
}

describe('failures are data: classified, tagged, and the run goes on', () => {
  it('a refused port: error refused, http.errors true, iteration failed', async () => {
    const port = await refusedPort();
    const j = journey('down', [request('GET', `http://127.0.0.1:${port}/x`, { name: 'dead' })]);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('failed');
    const s = h.snap();
    expect(tagsOf(s, 'http.errors')).toEqual([expect.objectContaining({ step: 'dead', status: '0', error: 'refused' })]);
    expect(sumOf(s, 'http.errors')).toBe(1);
    expect(countOf(s, 'journeys.failed')).toBe(1);
    expect(h.logs[0]).toMatch(/down › dead: refused: ECONNREFUSED/);
  });

  it('a server that never answers: timeout after the step timeout', async () => {
    const j = journey('stuck', [request('GET', '/hang', { name: 'hang', timeoutMs: 200 })]);
    const h = harness(plan(server.url, [j]));
    const t0 = Date.now();
    expect(await h.vu.runIteration(j)).toBe('failed');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(countOf(h.snap(), 'http.requests', { step: 'hang', error: 'timeout' })).toBe(1);
  });

  it('a reset socket and an endless body: reset and protocol', async () => {
    const j1 = journey('r', [request('GET', '/reset', { name: 'reset' })]);
    const j2 = journey('e', [request('GET', '/endless', { name: 'endless' })]);
    const h = harness(plan(server.url, [j1, j2], { http: { maxResponseBytes: 64 * 1024 } }));
    expect(await h.vu.runIteration(j1)).toBe('failed');
    expect(await h.vu.runIteration(j2)).toBe('failed');
    const s = h.snap();
    expect(countOf(s, 'http.errors', { step: 'reset', error: 'reset' })).toBe(1);
    expect(countOf(s, 'http.errors', { step: 'endless', error: 'protocol', status: '200' })).toBe(1);
  });

  it('retries with backoff: each attempt its own sample, tagged attempt, counted in http.retries', async () => {
    const retry: RetryPlan = { attempts: 3, on: ['5xx'], backoffMs: 50, maxBackoffMs: 1000, jitter: 0 };
    const j = journey('flaky', [request('GET', '/flaky?key=r1&fail=2', { name: 'flaky', retry, expect: [status(200)] })]);
    const h = harness(plan(server.url, [j]));
    const t0 = Date.now();
    expect(await h.vu.runIteration(j)).toBe('completed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50 + 100 - 5); // backoff 50 ms, then 100 ms
    const s = h.snap();
    expect(countOf(s, 'http.requests', { step: 'flaky' })).toBe(3);
    expect(countOf(s, 'http.errors', { step: 'flaky', error: '5xx' })).toBe(2);
    expect(countOf(s, 'http.latency', { step: 'flaky', attempt: '2', status: '503' })).toBe(1);
    expect(countOf(s, 'http.latency', { step: 'flaky', attempt: '3', status: '200' })).toBe(1);
    expect(tagsOf(s, 'http.latency').filter((t) => t['attempt'] === undefined)).toHaveLength(1);
    expect(sumOf(s, 'http.retries', { step: 'flaky' })).toBe(2);
  });

  it('does not retry classes it was not asked to, and stops after the last attempt', async () => {
    const retry: RetryPlan = { attempts: 2, on: ['timeout'], backoffMs: 1, maxBackoffMs: 1, jitter: 0 };
    const j = journey('noretry', [request('GET', '/flaky?key=r2&fail=9', { name: 'f', retry })]);
    const h = harness(plan(server.url, [j]));
    await h.vu.runIteration(j);
    expect(countOf(h.snap(), 'http.requests', { step: 'f' })).toBe(1);
    const j2 = journey('exhaust', [request('GET', '/flaky?key=r3&fail=9', { name: 'g', retry: { ...retry, on: ['503'] }, expect: [status(200)] })]);
    expect(await h.vu.runIteration(j2)).toBe('failed');
    expect(countOf(h.snap(), 'http.requests', { step: 'g' })).toBe(3);
  });

  it('polls until the condition holds, records poll.duration, then captures', async () => {
    const j = journey('job', [{
      kind: 'poll', name: 'wait-done', pos: POS, everyMs: 20, timeoutMs: 2_000,
      request: request('GET', '/job?key=p1&after=3', { name: 'wait-done', captures: [capJson('polls', '$.polls')] }),
      until: [jsonEq('$.status', 'done')],
    }, request('GET', '/echo?polls={{ polls }}', { name: 'after', expect: [jsonEq('$.url', '/echo?polls=3')] })]);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('completed');
    const s = h.snap();
    expect(countOf(s, 'http.requests', { step: 'wait-done' })).toBe(3);
    expect(countOf(s, 'poll.duration', { step: 'wait-done' })).toBe(1);
  });

  it('a poll that never holds times out as a failure of class timeout', async () => {
    const j = journey('job2', [{
      kind: 'poll', name: 'never', pos: POS, everyMs: 30, timeoutMs: 150,
      request: request('GET', '/job?key=p2&after=1000'), until: [jsonEq('$.status', 'done')],
    }]);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('failed');
    const s = h.snap();
    expect(countOf(s, 'expectations', { step: 'never', error: 'timeout' })).toBe(1);
    expect(countOf(s, 'poll.duration')).toBe(0);
    expect(countOf(s, 'http.requests', { step: 'never' })).toBeGreaterThanOrEqual(3);
  });
});

describe('cookies, redirects, connections, data', () => {
  it('keeps cookies per VU; a per-request cookie header is sent but never enters the jar', async () => {
    const j = journey('c', [
      request('GET', '/cookies/set?name=session&value=s1'),
      request('GET', '/cookies/set?name=lang&value=en'),
      request('GET', '/cookies', { name: 'with-own', headers: [['cookie', tpl('own=1; session=mine')]], expect: [jsonEq('$.cookie', 'lang=en; own=1; session=mine')] }),
      request('GET', '/cookies', { name: 'jar-only', expect: [jsonEq('$.cookie', 'session=s1; lang=en')] }),
    ]);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('completed');
    // a new iteration starts with an empty jar
    const j2 = journey('fresh', [request('GET', '/cookies', { expect: [jsonEq('$.cookie', null)] })]);
    expect(await h.vu.runIteration(j2)).toBe('completed');
  });

  it('sends no jar cookies when cookies are off', async () => {
    const j = journey('nocookies', [
      request('GET', '/cookies/set?name=a&value=1'),
      request('GET', '/cookies', { expect: [jsonEq('$.cookie', null)] }),
    ]);
    const h = harness(plan(server.url, [j], { http: { cookies: false } }));
    expect(await h.vu.runIteration(j)).toBe('completed');
  });

  it('follows redirects (cookies set on a hop included) unless disabled', async () => {
    const j = journey('r', [request('GET', '/cookies/redirect', { name: 'hop', expect: [status(200), jsonEq('$.cookie', 'hop=1')] })]);
    const h = harness(plan(server.url, [j]));
    expect(await h.vu.runIteration(j)).toBe('completed');
    const j2 = journey('r2', [request('GET', '/redirect/1', { expect: [status(302)] })]);
    const h2 = harness(plan(server.url, [j2], { http: { followRedirects: false } }));
    expect(await h2.vu.runIteration(j2)).toBe('completed');
  });

  it('per-vu connections: each VU its own connection, closed when the VU ends', async () => {
    const p = plan(server.url, [], { http: { connectionPolicy: 'per-vu', connections: 1 } });
    const j = journey('pv', [request('GET', '/echo', { captures: [capJson('port', '$.remotePort')] }), request('GET', '/echo', { captures: [capJson('port2', '$.remotePort')] })]);
    const ports: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      let made = 0;
      const h = harness(p, { clientFactory: () => (made++, createHttpClient({ http: p.http, target: p.target })) });
      const vars = await h.vu.runSteps(j.steps);
      expect(vars['port']).toBe(vars['port2']); // keep-alive within the VU
      ports.push(vars['port']);
      await h.vu.close();
      expect(made).toBe(1);
    }
    expect(ports[0]).not.toBe(ports[1]);
  });

  it('unique data: each row once, then the iteration is interrupted and the feed reports exhaustion', async () => {
    const feed: DataFeed = { name: 'users', columns: ['email'], rows: [['a@x'], ['b@x']], order: 'unique', onExhausted: 'stop' };
    const j = journey('u', [request('GET', '/echo?u={{ users.email }}&again={{ users.email }}', { captures: [capJson('url', '$.url')] })]);
    const h = harness(plan(server.url, [j], { data: [feed] }));
    expect(await h.vu.runIteration(j)).toBe('completed');
    expect(await h.vu.runIteration(j)).toBe('completed');
    expect(h.data.exhausted).toBeUndefined();
    expect(await h.vu.runIteration(j)).toBe('interrupted');
    expect(h.data.exhausted).toBe('users');
    expect(countOf(h.snap(), 'http.requests')).toBe(2);
  });
});
