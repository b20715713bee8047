import diagnostics from 'node:diagnostics_channel';
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, InFlightLimit, type CookieHook, type HttpClient } from '../../src/http/index.js';
import { LATE_MS, MIN_LIMIT } from '../../src/http/in-flight-limit.js';
import { httpDefaults, refusedPort, startTargetServer, type TargetServer } from '../support/target-server.js';

let server: TargetServer;
const clients: HttpClient[] = [];
function client(overrides: Parameters<typeof httpDefaults>[0] = {}): HttpClient {
  const c = createHttpClient({ http: httpDefaults(overrides), target: server.url });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await startTargetServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

describe('http client against a real server', () => {
  it('returns status, lower-case headers, body, byte counts and timings', async () => {
    const res = await client().request({ method: 'GET', url: `${server.url}/json`, headers: { 'X-Test': '1' } });
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(res.body.toString()).id).toBe(42);
    expect(res.bytesIn).toBeGreaterThan(res.body.length);
    expect(res.bytesOut).toBeGreaterThan(20);
    expect(res.timings.totalUs).toBeGreaterThanOrEqual(res.timings.ttfbUs);
    expect(res.timings.ttfbUs).toBeGreaterThan(0);
    expect(res.timings.connectUs).toBeGreaterThan(0);
  });

  it('reports connect time only on the request that opened the connection', async () => {
    const c = client({ connections: 1 });
    const a = await c.request({ method: 'GET', url: `${server.url}/json`, headers: {} });
    const b = await c.request({ method: 'GET', url: `${server.url}/json`, headers: {} });
    expect(a.timings.connectUs).toBeDefined();
    expect(b.timings.connectUs).toBeUndefined();
  });

  it('counts the wait for a busy connection as blocked, not as the response latency', async () => {
    // One connection, two requests at once to an endpoint answering after 300 ms: the second waits
    // for the first to finish before it is written.
    const c = client({ connections: 1 });
    const [a, b] = await Promise.all([
      c.request({ method: 'GET', url: `${server.url}/slow?ms=300`, headers: {} }),
      c.request({ method: 'GET', url: `${server.url}/slow?ms=300`, headers: {} }),
    ]);
    const [first, second] = (a.timings.blockedUs ?? 0) <= (b.timings.blockedUs ?? 0) ? [a, b] : [b, a];
    expect(second.timings.blockedUs).toBeGreaterThanOrEqual(250_000);
    // Each latency is its own exchange: about the server's 300 ms, never the two back to back.
    for (const r of [first, second]) {
      expect(r.timings.totalUs).toBeGreaterThanOrEqual(290_000);
      expect(r.timings.totalUs).toBeLessThan(second.timings.blockedUs as number + 250_000);
      expect(r.timings.ttfbUs).toBeLessThanOrEqual(r.timings.totalUs);
    }
    expect(first.timings.blockedUs).toBeLessThan(second.timings.blockedUs as number);
  });

  it('has no blocked time for a request that never reached a connection', async () => {
    const port = await refusedPort();
    const res = await client().request({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} });
    expect(res.error?.class).toBe('refused');
    expect(res.timings.blockedUs).toBeUndefined();
    expect(res.timings.totalUs).toBeGreaterThan(0);
  });

  it('puts one abort listener on a signal however many clients use it (a connection per VU)', async () => {
    const ctl = new AbortController();
    const many = Array.from({ length: 40 }, () => client({ connections: 1 }));
    const results = await Promise.all(many.map((c) => c.request({ method: 'GET', url: `${server.url}/json`, headers: {}, signal: ctl.signal })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(getEventListeners(ctl.signal, 'abort').length).toBe(1);
    // And aborting it still ends the requests in flight on every client.
    const pending = many.slice(0, 5).map((c) => c.request({ method: 'GET', url: `${server.url}/slow?ms=5000`, headers: {}, signal: ctl.signal }));
    setTimeout(() => ctl.abort(), 50);
    const aborted = await Promise.all(pending);
    expect(aborted.map((r) => r.error?.class)).toEqual(['aborted', 'aborted', 'aborted', 'aborted', 'aborted']);
  });

  it('sends bodies and keeps 4xx/5xx as statuses, not transport errors', async () => {
    const c = client();
    const echo = await c.request({ method: 'POST', url: `${server.url}/echo?x=1`, headers: { 'content-type': 'text/plain' }, body: 'payload' });
    expect(JSON.parse(echo.body.toString())).toMatchObject({ method: 'POST', url: '/echo?x=1', body: 'payload' });
    const nf = await c.request({ method: 'GET', url: `${server.url}/status/404`, headers: {} });
    expect(nf.status).toBe(404);
    expect(nf.error).toBeUndefined();
    const se = await c.request({ method: 'GET', url: `${server.url}/status/503`, headers: {} });
    expect(se.status).toBe(503);
  });

  it('classifies a closed port as refused', async () => {
    const port = await refusedPort();
    const res = await client().request({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} });
    expect(res.status).toBe(0);
    expect(res.error?.class).toBe('refused');
    expect(res.error?.message).toMatch(/ECONNREFUSED/);
  });

  it('classifies a server that never answers as timeout, within the timeout', async () => {
    const t0 = Date.now();
    const res = await client().request({ method: 'GET', url: `${server.url}/hang`, headers: {}, timeoutMs: 300 });
    expect(res.error?.class).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(res.timings.totalUs).toBeGreaterThanOrEqual(290_000);
  });

  it('times out a response whose body stops half-way, within the timeout', async () => {
    // The hop's timer is the only one (undici's own body timeout is off): it must cover the body too.
    const c = client({ connections: 1 });
    const t0 = Date.now();
    const res = await c.request({ method: 'GET', url: `${server.url}/stall-body`, headers: {}, timeoutMs: 300 });
    expect(res.status).toBe(200);
    expect(res.error?.class).toBe('timeout');
    expect(res.error?.message).toMatch(/timed out after 300 ms/);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(res.timings.totalUs).toBeGreaterThanOrEqual(290_000);
    // The connection was given up, not left half-read to the next request on the same client.
    const next = await c.request({ method: 'GET', url: `${server.url}/json`, headers: {} });
    expect(next.status).toBe(200);
    expect(JSON.parse(next.body.toString()).id).toBe(42);
  });

  it('sends every request with the undici timers off: its one timer is the hop timer', async () => {
    const seen: { headersTimeout?: unknown; bodyTimeout?: unknown }[] = [];
    const onCreate = (m: unknown): void => void seen.push((m as { request: { headersTimeout?: unknown; bodyTimeout?: unknown } }).request);
    diagnostics.subscribe('undici:request:create', onCreate);
    try {
      const c = client({ timeoutMs: 5_000 });
      const res = await c.request({ method: 'GET', url: `${server.url}/json`, headers: {}, timeoutMs: 4_000 });
      expect(res.status).toBe(200);
    } finally {
      diagnostics.unsubscribe('undici:request:create', onCreate);
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) expect([r.headersTimeout, r.bodyTimeout]).toEqual([0, 0]);
  });

  it('classifies a socket reset as reset', async () => {
    const res = await client().request({ method: 'GET', url: `${server.url}/reset`, headers: {} });
    expect(res.status).toBe(0);
    expect(res.error?.class).toBe('reset');
  });

  it('cuts an endless body at maxResponseBytes: protocol error, response too large', async () => {
    const c = client({ maxResponseBytes: 100_000 });
    const res = await c.request({ method: 'GET', url: `${server.url}/endless`, headers: {} });
    expect(res.status).toBe(200);
    expect(res.error?.class).toBe('protocol');
    expect(res.error?.message).toMatch(/response too large/);
    // the client still works afterwards (the connection was replaced)
    const ok = await c.request({ method: 'GET', url: `${server.url}/json`, headers: {} });
    expect(ok.status).toBe(200);
  });

  it('accepts a body exactly at the limit', async () => {
    const res = await client({ maxResponseBytes: 5000 }).request({ method: 'GET', url: `${server.url}/big?bytes=5000`, headers: {} });
    expect(res.error).toBeUndefined();
    expect(res.body.length).toBe(5000);
  });

  it('follows redirects up to maxRedirects, or not at all when disabled', async () => {
    const c = client({ maxRedirects: 3 });
    const ok = await c.request({ method: 'GET', url: `${server.url}/redirect/3`, headers: {} });
    expect(ok.status).toBe(200);
    expect(ok.redirects).toBe(3);
    expect(ok.url).toBe(`${server.url}/redirect/0`);
    const tooMany = await c.request({ method: 'GET', url: `${server.url}/redirect/4`, headers: {} });
    expect(tooMany.status).toBe(302);
    expect(tooMany.error?.class).toBe('protocol');
    const off = await c.request({ method: 'GET', url: `${server.url}/redirect/2`, headers: {}, followRedirects: false });
    expect(off.status).toBe(302);
    expect(off.error).toBeUndefined();
    const seeOther = await c.request({ method: 'POST', url: `${server.url}/redirect-post`, headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(JSON.parse(seeOther.body.toString())).toMatchObject({ method: 'GET', body: null });
  });

  it('feeds the cookie hook on every hop of a redirect chain', async () => {
    const jar = new Map<string, string>();
    const hook: CookieHook = {
      cookieHeader: () => (jar.size ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined),
      store: (_url, set) => {
        for (const s of Array.isArray(set) ? set : [set]) {
          const [kv] = (s as string).split(';');
          const [k, v] = (kv ?? '').split('=');
          jar.set(k ?? '', v ?? '');
        }
      },
    };
    const res = await client().request({ method: 'GET', url: `${server.url}/cookies/redirect`, headers: { cookie: 'own=1' }, cookies: hook });
    expect(JSON.parse(res.body.toString())).toEqual({ cookie: 'hop=1; own=1' });
  });

  it('discards the body when asked but still counts it', async () => {
    const res = await client().request({ method: 'GET', url: `${server.url}/big?bytes=3000`, headers: {}, discardBody: true });
    expect(res.body.length).toBe(0);
    expect(res.bytesIn).toBeGreaterThan(3000);
  });

  it('returns aborted when the signal fires, and an unsupported URL as protocol', async () => {
    const ac = new AbortController();
    const p = client().request({ method: 'GET', url: `${server.url}/hang`, headers: {}, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await p).error?.class).toBe('aborted');
    const bad = await client().request({ method: 'GET', url: 'ftp://x/', headers: {} });
    expect(bad.error?.class).toBe('protocol');
  });

  it('reuses one connection with keep-alive, and opens one per request without it', async () => {
    const ports = async (c: HttpClient): Promise<Set<number>> => {
      const seen = new Set<number>();
      for (let i = 0; i < 3; i++) {
        const res = await c.request({ method: 'GET', url: `${server.url}/echo`, headers: {} });
        seen.add((JSON.parse(res.body.toString()) as { remotePort: number }).remotePort);
      }
      return seen;
    };
    expect((await ports(client({ keepAlive: true, connections: 1 }))).size).toBe(1);
    expect((await ports(client({ keepAlive: false, connections: 1 }))).size).toBe(3);
  });
});

describe('connection pool against a real server', () => {
  it('opens no more than http.connections and answers every request waiting beyond them', async () => {
    const before = server.connections();
    const c = client({ connections: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, () => c.request({ method: 'GET', url: `${server.url}/slow?ms=40`, headers: {} })));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(server.connections() - before).toBe(3);
    // Requests that waited for a connection say so, and their latency is still the server's.
    const blocked = results.filter((r) => (r.timings.blockedUs ?? 0) > 20_000);
    expect(blocked.length).toBeGreaterThanOrEqual(6);
  });
});

describe('a request undici refuses', () => {
  it('fails as protocol and leaves its connection to the next requests', async () => {
    const c = client({ connections: 1, timeoutMs: 2000 });
    for (let i = 0; i < 3; i++) {
      const bad = await c.request({ method: 'GET', url: `${server.url}/echo`, headers: { 'x-bad': 'a\nb' } });
      expect(bad.error?.class).toBe('protocol');
      expect(bad.error?.message).toMatch(/invalid x-bad header/);
    }
    const good = await c.request({ method: 'GET', url: `${server.url}/echo`, headers: {} });
    expect(good.error).toBeUndefined();
    expect(good.status).toBe(200);
  });
});

describe('the run\'s limit on requests in flight, in the client', () => {
  /** A limit whose clock and probe the test drives, already cut to its floor by a late loop. */
  function fullLimit(): { limit: InFlightLimit; advance(ms: number): void; free(n: number): void } {
    let now = 0;
    let probe: (() => void) | undefined;
    const limit = new InFlightLimit({ now: () => now, schedule: (fn) => void (probe = fn) });
    const others = MIN_LIMIT * 2;
    for (let i = 0; i < others; i++) limit.enter();
    for (let i = 0; i < 2; i++) {
      now += 10 + LATE_MS + 50;
      (probe as () => void)();
    }
    expect(limit.limit).toBe(MIN_LIMIT);
    return { limit, advance: (ms) => void (now += ms), free: (n) => { for (let i = 0; i < n; i++) limit.leave(); } };
  }

  it('holds a request until there is room, and counts the wait as blocked, never as its latency', async () => {
    const held = fullLimit();
    const c = createHttpClient({ http: httpDefaults(), target: server.url, limit: held.limit });
    clients.push(c);
    const before = server.hits.get('/json') ?? 0;
    const pending = c.request({ method: 'GET', url: `${server.url}/json`, headers: {} });
    await new Promise((r) => setTimeout(r, 50));
    // Not written while the limit is full.
    expect(server.hits.get('/json') ?? 0).toBe(before);
    expect(held.limit.waiting).toBe(1);
    // Five seconds of the limit's clock later, room: the request goes.
    held.advance(5_000);
    held.free(MIN_LIMIT + 1);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(server.hits.get('/json')).toBe(before + 1);
    expect(res.timings.blockedUs).toBeGreaterThanOrEqual(5_000_000);
    expect(res.timings.totalUs).toBeLessThan(5_000_000);
    expect(held.limit.stats()).toMatchObject({ requests: 1, maxWaitMs: 5_000 });
    // Its place was given back when it ended.
    expect(held.limit.inFlight).toBe(MIN_LIMIT * 2 - (MIN_LIMIT + 1));
  });

  it('gives the place back when the request fails', async () => {
    const limit = new InFlightLimit({ schedule: () => undefined });
    const c = createHttpClient({ http: httpDefaults(), target: server.url, limit });
    clients.push(c);
    const res = await c.request({ method: 'GET', url: `http://127.0.0.1:${await refusedPort()}/`, headers: {} });
    expect(res.error?.class).toBe('refused');
    expect(limit.inFlight).toBe(0);
  });
});
