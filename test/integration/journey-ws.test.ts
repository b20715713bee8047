import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/index.js';
import { createDataFeeds, createVu, createVuShared } from '../../src/journey/index.js';
import { createRegistry } from '../../src/metrics/index.js';
import type { Matcher, Plan, WsStep } from '../../src/scenario/plan.js';
import { capJson, countOf, journey, jsonEq, plan, POS, sumOf, tpl, tval } from '../support/journey-plans.js';
import { refusedPort } from '../support/target-server.js';
import { startWsServer, type WsTestServer } from '../support/ws-server.js';

let server: WsTestServer;
const clients: HttpClient[] = [];

beforeAll(async () => {
  server = await startWsServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

function ws(name: string, parts: Partial<WsStep>): WsStep {
  return { kind: 'ws', name, timeoutMs: 2_000, captures: [], close: false, tags: {}, pos: POS, ...parts };
}
const connect = (url: string, headers: [string, string][] = []): WsStep['connect'] => ({ url: tpl(url), headers: headers.map(([k, v]) => [k, tpl(v)] as const) });
const sendJson = (v: unknown): WsStep['send'] => ({ kind: 'json', value: tval(v) });

function harness(p: Plan) {
  const sink = createRegistry();
  const logs: string[] = [];
  const client = createHttpClient({ http: p.http, target: p.target });
  clients.push(client);
  const ac = new AbortController();
  const vu = createVu({
    plan: p, id: 1, client, sink, data: createDataFeeds(p.data, { random: Math.random }), globals: { token: 's3cret' }, phase: () => 'main',
    random: () => 0.5, signal: ac.signal, log: (l) => logs.push(l), shared: createVuShared(),
  });
  return { vu, logs, ac, snap: () => sink.cumulative() };
}

const done: Matcher = jsonEq('$.status', 'done');
/** Tags of the ws.errors series that counted a failure (a step that succeeded has a false sample, untagged). */
const wsErrorTags = (s: ReturnType<ReturnType<typeof harness>['snap']>) => s.series.filter((x) => x.metric === 'ws.errors' && x.sum > 0).map((x) => x.tags);

describe('ws steps against a real WebSocket server', () => {
  it('holds one socket across steps: connect with headers, send JSON, wait, capture, close', async () => {
    const j = journey('watch', [
      ws('open', { connect: connect('/echo', [['authorization', 'Bearer {{ token }}']]) }),
      ws('ask', { send: sendJson({ after: 50, reply: { status: 'queued' } }) }),
      ws('ask-again', { send: sendJson({ after: 100, reply: { status: 'done', id: 'j-1' } }) }),
      // The first unread message (queued) does not match and is discarded; the second does.
      ws('wait', { until: [done], captures: [capJson('jobId', '$.id')] }),
      ws('echo', { send: { kind: 'text', template: tpl('got {{ jobId }}') }, until: [{ kind: 'body', cmp: { op: 'equals', value: tval('got j-1') } }], close: true }),
    ]);
    const h = harness(plan(server.httpUrl, [j]));
    expect(await h.vu.runIteration(j)).toBe('completed');
    const s = h.snap();
    expect(server.lastHeaders.authorization).toBe('Bearer s3cret');
    expect(countOf(s, 'ws.connect', { journey: 'watch', step: 'open', phase: 'main' })).toBe(1);
    expect(countOf(s, 'ws.message', { step: 'wait' })).toBe(1);
    expect(countOf(s, 'ws.message', { step: 'echo' })).toBe(1);
    // wait had no send of its own: measured from the last unanswered send (about 100 ms before the reply).
    const wait = s.series.find((x) => x.metric === 'ws.message' && x.tags.step === 'wait');
    expect(wait?.min).toBeGreaterThanOrEqual(90_000);
    expect(wsErrorTags(s)).toEqual([]);
    // Each step run is one ws.errors sample, false when it succeeded: `ws.errors: [rate == 0]` can hold.
    expect(s.series.filter((x) => x.metric === 'ws.errors').map((x) => [x.tags.step, x.tags.error, x.count, x.sum])).toContainEqual(['wait', undefined, 1, 0]);
    expect(server.received.at(-1)).toBe('got j-1');
    await expect.poll(() => server.open()).toBe(0);
  });

  it('closes the socket at the end of the iteration without a close step', async () => {
    const j = journey('left-open', [ws('open', { connect: connect(`${server.url}/echo`) })]);
    const h = harness(plan('', [j]));
    expect(await h.vu.runIteration(j)).toBe('completed');
    await expect.poll(() => server.open()).toBe(0);
  });

  it('drops a connection whose close the server never answers, one second after asking', async () => {
    const j = journey('deaf', [ws('open', { connect: connect(`${server.url}/deaf`) })]);
    const h = harness(plan('', [j]));
    const t0 = Date.now();
    expect(await h.vu.runIteration(j)).toBe('completed');
    expect(Date.now() - t0).toBeLessThan(3_000);
    await expect.poll(() => server.deafOpen()).toBe(0);
  });

  it('a refused connect fails the step with class refused, quickly', async () => {
    const port = await refusedPort();
    const j = journey('down', [ws('open', { connect: connect(`ws://127.0.0.1:${port}/x`) }), ws('never', { send: sendJson(1) })]);
    const h = harness(plan('', [j]));
    expect(await h.vu.runIteration(j)).toBe('failed');
    const s = h.snap();
    expect(wsErrorTags(s)).toEqual([expect.objectContaining({ journey: 'down', step: 'open', error: 'refused' })]);
    expect(sumOf(s, 'ws.errors')).toBe(1);
    // One sample: the failed step; the step after it never ran.
    expect(countOf(s, 'ws.errors')).toBe(1);
    expect(countOf(s, 'ws.connect')).toBe(0);
    expect(h.logs[0]).toMatch(/down › open: refused: .*ECONNREFUSED/);
  });

  it('a handshake answered 404 is 4xx; one never answered is a timeout within the step timeout', async () => {
    const j1 = journey('nf', [ws('open', { connect: connect(`${server.url}/nope`) })]);
    const h1 = harness(plan('', [j1]));
    expect(await h1.vu.runIteration(j1)).toBe('failed');
    expect(wsErrorTags(h1.snap())).toEqual([expect.objectContaining({ error: '4xx' })]);
    expect(h1.logs[0]).toMatch(/answered 404 instead of 101/);

    const j2 = journey('hang', [ws('open', { connect: connect(`${server.url}/hang`), timeoutMs: 300 })]);
    const h2 = harness(plan('', [j2]));
    const t0 = Date.now();
    expect(await h2.vu.runIteration(j2)).toBe('failed');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(wsErrorTags(h2.snap())).toEqual([expect.objectContaining({ error: 'timeout' })]);
  });

  it('no matching message in time is a timeout that names the last message seen', async () => {
    const j = journey('slow', [ws('s', { connect: connect(`${server.url}/echo`), send: sendJson({ status: 'queued' }), until: [done], timeoutMs: 300 })]);
    const h = harness(plan('', [j]));
    const t0 = Date.now();
    expect(await h.vu.runIteration(j)).toBe('failed');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(wsErrorTags(h.snap())).toEqual([expect.objectContaining({ step: 's', error: 'timeout' })]);
    expect(h.logs[0]).toMatch(/no matching message within 300 ms \(1 other message received\); last message: .*queued.*expected equals "done", got "queued"/);
  });

  it('a server that closes mid-wait is closed; one that drops the connection is reset', async () => {
    const j1 = journey('c', [ws('s', { connect: connect(`${server.url}/close`), send: sendJson(1), until: [done] })]);
    const h1 = harness(plan('', [j1]));
    expect(await h1.vu.runIteration(j1)).toBe('failed');
    expect(wsErrorTags(h1.snap())).toEqual([expect.objectContaining({ error: 'closed' })]);
    expect(h1.logs[0]).toMatch(/code 1011: done with you/);

    const j2 = journey('d', [ws('s', { connect: connect(`${server.url}/drop`), send: sendJson(1), until: [done] })]);
    const h2 = harness(plan('', [j2]));
    expect(await h2.vu.runIteration(j2)).toBe('failed');
    expect(wsErrorTags(h2.snap())).toEqual([expect.objectContaining({ error: 'reset' })]);
  });

  it('send without a socket fails with closed; a missing capture fails with capture', async () => {
    const j1 = journey('nosock', [ws('s', { send: sendJson(1) })]);
    const h1 = harness(plan('', [j1]));
    expect(await h1.vu.runIteration(j1)).toBe('failed');
    expect(h1.logs[0]).toMatch(/no open WebSocket: connect first/);

    const j2 = journey('cap', [ws('s', { connect: connect(`${server.url}/echo`), send: sendJson({ status: 'done' }), until: [done], captures: [capJson('id', '$.id')] })]);
    const h2 = harness(plan('', [j2]));
    expect(await h2.vu.runIteration(j2)).toBe('failed');
    expect(wsErrorTags(h2.snap())).toEqual([expect.objectContaining({ error: 'capture' })]);
  });

  it('a stopping run interrupts a wait at once, records no error, and closes the socket', async () => {
    const j = journey('stop', [ws('s', { connect: connect(`${server.url}/silent`), until: [done], timeoutMs: 10_000 })]);
    const h = harness(plan('', [j]));
    const t0 = Date.now();
    setTimeout(() => h.ac.abort(), 200);
    expect(await h.vu.runIteration(j)).toBe('interrupted');
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(wsErrorTags(h.snap())).toEqual([]);
    await expect.poll(() => server.open()).toBe(0);
  });
});
