/**
 * A kept-alive connection the server closes as a request is written on it: the client writes an
 * idempotent request again on another connection (RFC 9112 §9.3.1), counts it in `resent`, and
 * reports everything else as the failure it is. The target is a raw `node:net` server that answers
 * the first request on each connection and treats the later ones as the test asks.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/index.js';
import { createDataFeeds, createVu, createVuShared } from '../../src/journey/index.js';
import { createRegistry } from '../../src/metrics/index.js';
import { countOf, journey, plan, request, sumOf } from '../support/journey-plans.js';
import { httpDefaults } from '../support/target-server.js';

/** What the server does with the requests after the first on a connection. */
type Later = 'answer' | 'close' | 'reset' | 'half';

interface Target {
  readonly url: string;
  /** Requests the server read, as `METHOD path #n-on-its-connection`. */
  readonly seen: string[];
  /** Connections the server accepted. */
  connections: number;
  later: Later;
  /** The first request on a connection is closed without an answer too. */
  closeFirst: boolean;
  close(): Promise<void>;
}

function answer(socket: Socket, body: string): void {
  socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nkeep-alive: timeout=30\r\n\r\n${body}`);
}

async function startTarget(): Promise<Target> {
  const sockets = new Set<Socket>();
  const target = { seen: [] as string[], connections: 0, later: 'close' as Later, closeFirst: false } as Target & { url: string };
  const server: Server = createServer((socket) => {
    target.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let n = 0;
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.subarray(end + 4 + length);
        n++;
        const [method, path] = head.split(' ');
        target.seen.push(`${method} ${path} #${n}`);
        const mode: Later = n === 1 ? (target.closeFirst ? 'close' : 'answer') : target.later;
        if (mode === 'answer') answer(socket, `answer ${n}`);
        else if (mode === 'close') return void socket.destroy();
        else if (mode === 'reset') return void socket.resetAndDestroy();
        else {
          socket.write('HTTP/1.1 200 OK\r\ncontent-le');
          return void socket.destroy();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  target.url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
  target.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return target;
}

const targets: Target[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
});

async function setUp(later: Later, connections = 1): Promise<{ target: Target; client: HttpClient }> {
  const target = await startTarget();
  target.later = later;
  targets.push(target);
  const client = createHttpClient({ http: httpDefaults({ connections }), target: target.url });
  clients.push(client);
  return { target, client };
}

describe('a kept-alive connection the server closed under a request', () => {
  it.each(['close', 'reset'] as const)('writes a GET again on a new connection (server %ss it), counts it, and times it', async (later) => {
    const { target, client } = await setUp(later);
    const first = await client.request({ method: 'GET', url: `${target.url}/a`, headers: {} });
    expect(first.status).toBe(200);
    expect(first.resent).toBeUndefined();
    const second = await client.request({ method: 'GET', url: `${target.url}/b`, headers: {} });
    expect(second.error).toBeUndefined();
    expect(second.status).toBe(200);
    expect(second.body.toString()).toBe('answer 1');
    expect(second.resent).toBe(1);
    // Written on the kept-alive connection (which the server dropped), then on a new one.
    expect(target.seen).toEqual(['GET /a #1', 'GET /b #2', 'GET /b #1']);
    expect(target.connections).toBe(2);
    expect(second.timings.connectUs).toBeGreaterThan(0);
    expect(second.timings.totalUs).toBeGreaterThanOrEqual(second.timings.ttfbUs);
  });

  it('sends a POST once: reset, and the error says it was not sent again', async () => {
    const { target, client } = await setUp('close');
    await client.request({ method: 'POST', url: `${target.url}/orders`, headers: {}, body: '{"a":1}' });
    const res = await client.request({ method: 'POST', url: `${target.url}/orders`, headers: {}, body: '{"a":2}' });
    expect(res.status).toBe(0);
    expect(res.error?.class).toBe('reset');
    expect(res.error?.message).toMatch(/closed the kept-alive connection before answering; a POST is not sent again: it is not idempotent/);
    expect(res.resent).toBeUndefined();
    expect(target.seen).toEqual(['POST /orders #1', 'POST /orders #2']);
  });

  it('sends a POST with an Idempotency-Key again', async () => {
    const { target, client } = await setUp('close');
    await client.request({ method: 'POST', url: `${target.url}/orders`, headers: {}, body: 'x' });
    const res = await client.request({ method: 'POST', url: `${target.url}/orders`, headers: { 'idempotency-key': 'k-1' }, body: 'y' });
    expect(res.status).toBe(200);
    expect(res.resent).toBe(1);
    expect(target.seen).toEqual(['POST /orders #1', 'POST /orders #2', 'POST /orders #1']);
  });

  it('does not send again when the connection was new: that is the server failing the request', async () => {
    const { target, client } = await setUp('close');
    target.closeFirst = true;
    const res = await client.request({ method: 'GET', url: `${target.url}/a`, headers: {} });
    expect(res.error?.class).toBe('reset');
    expect(res.resent).toBeUndefined();
    expect(target.seen).toEqual(['GET /a #1']);
  });

  it('does not send again once part of an answer came back', async () => {
    const { target, client } = await setUp('half');
    await client.request({ method: 'GET', url: `${target.url}/a`, headers: {} });
    const res = await client.request({ method: 'GET', url: `${target.url}/b`, headers: {} });
    expect(res.status).toBe(0);
    expect(res.error).toBeDefined();
    expect(res.resent).toBeUndefined();
    expect(target.seen).toEqual(['GET /a #1', 'GET /b #2']);
  });

  it('does not send again when the new connection fails too: the server failed the request', async () => {
    const { target, client } = await setUp('close');
    await client.request({ method: 'GET', url: `${target.url}/a`, headers: {} });
    // From now on the server closes every connection at its first request as well.
    target.closeFirst = true;
    const res = await client.request({ method: 'GET', url: `${target.url}/x`, headers: {} });
    expect(res.status).toBe(0);
    expect(res.error?.class).toBe('reset');
    expect(res.resent).toBe(1);
    expect(target.seen).toEqual(['GET /a #1', 'GET /x #2', 'GET /x #1']);
  });
});

describe('a journey whose request was written again', () => {
  it('completes, records the request once, and counts it in http.resent', async () => {
    const target = await startTarget();
    targets.push(target);
    const p = plan(target.url, [journey('browse', [request('GET', '/list', { name: 'list' }), request('GET', '/item', { name: 'item' })])], { http: { connections: 1 } });
    const client = createHttpClient({ http: p.http, target: p.target });
    clients.push(client);
    const sink = createRegistry();
    const vu = createVu({
      plan: p, id: 1, client, sink, data: createDataFeeds(p.data, { random: Math.random }), globals: {}, phase: () => 'main', random: () => 0.5,
      signal: new AbortController().signal, log: () => undefined, shared: createVuShared(),
    });
    expect(await vu.runIteration(p.journeys[0] as (typeof p.journeys)[number])).toBe('completed');
    const snap = sink.cumulative();
    expect(countOf(snap, 'http.requests', { step: 'item' })).toBe(1);
    expect(countOf(snap, 'http.requests', { step: 'item', status: '200' })).toBe(1);
    expect(sumOf(snap, 'http.errors')).toBe(0);
    expect(sumOf(snap, 'http.resent', { step: 'item', phase: 'main' })).toBe(1);
    expect(sumOf(snap, 'http.resent', { step: 'list' })).toBe(0);
    expect(target.seen).toEqual(['GET /list #1', 'GET /item #2', 'GET /item #1']);
  });
});
