/**
 * A real Fastify server for HTTP and journey tests, on 127.0.0.1 port 0. Routes cover JSON, slow and
 * never-answering responses, bodies that stop half-way, resets, endless and large bodies, redirects, cookies, echo, status codes,
 * flaky endpoints (fail N times, then succeed) and a pollable job.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { HttpDefaults } from '../../src/scenario/plan.js';

export interface TargetServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  /** Requests seen per path (pathname only). */
  readonly hits: Map<string, number>;
  /** Connections the server accepted. */
  connections(): number;
  close(): Promise<void>;
}

export async function startTargetServer(): Promise<TargetServer> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const hits = new Map<string, number>();
  const counters = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  let accepted = 0;
  app.server.on('connection', () => {
    accepted++;
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0] ?? req.url;
    hits.set(path, (hits.get(path) ?? 0) + 1);
  });
  const bump = (key: string): number => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };

  app.get('/json', async () => ({ id: 42, name: 'widget', price: 9.5, tags: ['a', 'b'], items: [{ id: 1 }, { id: 2 }], nested: { ok: true } }));
  app.get('/text', async (_req, reply) => reply.type('text/plain').send('hello world, order #1234 ready'));
  app.get('/html', async (_req, reply) =>
    reply.type('text/html').send('<html><body><form><input name="csrf" value="tok-123"></form><a href="/next">next</a></body></html>'));
  app.get<{ Params: { code: string } }>('/status/:code', async (req, reply) => reply.code(Number(req.params.code)).send({ code: Number(req.params.code) }));
  app.get<{ Querystring: { ms?: string } }>('/slow', async (req) => {
    await new Promise((r) => setTimeout(r, Number(req.query.ms ?? '200')));
    return { slow: true };
  });
  app.get('/hang', (req, reply) => {
    // Never answers; the socket is closed when the server closes.
    hanging.add(reply.raw);
    req.raw.on('close', () => hanging.delete(reply.raw));
  });
  app.get('/stall-body', (req, reply) => {
    // Headers and the first bytes of a 1,000-byte body, then silence: the body never completes.
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
    res.write('partial');
    hanging.add(res);
    req.raw.on('close', () => hanging.delete(res));
  });
  app.get('/reset', (req) => {
    req.raw.socket.destroy();
  });
  app.get('/endless', (req, reply) => {
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(16 * 1024, 120);
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(chunk);
    }, 1);
    req.raw.socket.on('close', () => clearInterval(timer));
  });
  app.get<{ Querystring: { bytes?: string } }>('/big', async (req, reply) =>
    reply.type('application/octet-stream').send(Buffer.alloc(Number(req.query.bytes ?? '1000'), 97)));
  app.get<{ Params: { n: string } }>('/redirect/:n', async (req, reply) => {
    const n = Number(req.params.n);
    if (n <= 0) return { redirected: true };
    return reply.redirect(`/redirect/${n - 1}`, 302);
  });
  app.post('/redirect-post', async (_req, reply) => reply.redirect('/echo', 303));
  app.get<{ Querystring: { name?: string; value?: string } }>('/cookies/set', async (req, reply) => {
    reply.header('set-cookie', `${req.query.name ?? 'session'}=${req.query.value ?? 'abc'}; Path=/`);
    return { set: true };
  });
  app.get('/cookies/redirect', async (_req, reply) => {
    reply.header('set-cookie', 'hop=1; Path=/');
    return reply.redirect('/cookies', 302);
  });
  app.get('/cookies', async (req) => ({ cookie: req.headers.cookie ?? null }));
  app.all('/echo', async (req) => ({ method: req.method, url: req.url, headers: req.headers, body: req.body ?? null, remotePort: req.socket.remotePort }));
  app.get<{ Querystring: { key?: string; fail?: string; code?: string } }>('/flaky', async (req, reply) => {
    const n = bump(`flaky:${req.query.key ?? ''}`);
    if (n <= Number(req.query.fail ?? '1')) return reply.code(Number(req.query.code ?? '503')).send({ attempt: n });
    return { attempt: n };
  });
  app.get<{ Querystring: { key?: string; after?: string } }>('/job', async (req) => {
    const n = bump(`job:${req.query.key ?? ''}`);
    return { status: n >= Number(req.query.after ?? '3') ? 'done' : 'pending', polls: n };
  });
  app.post('/orders', async (_req, reply) => reply.code(202).send({ jobId: `job-${bump('orders')}` }));

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    app,
    hits,
    connections: () => accepted,
    async close() {
      for (const res of hanging) res.destroy();
      await app.close();
    },
  };
}

/** A 127.0.0.1 port that nothing listens on (bound, then released). */
export async function refusedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** HTTP defaults as the scenario layer would normalize them, with overrides for a test. */
export function httpDefaults(overrides: Partial<HttpDefaults> = {}): HttpDefaults {
  return {
    timeoutMs: 5_000,
    connectTimeoutMs: 2_000,
    connections: 4,
    connectionPolicy: 'shared',
    keepAlive: true,
    headers: [],
    tlsVerify: true,
    followRedirects: true,
    maxRedirects: 5,
    maxResponseBytes: 1024 * 1024,
    http2: false,
    cookies: true,
    compression: true,
    ...overrides,
  };
}

/** A self-signed certificate for 127.0.0.1 made with the openssl CLI, or undefined without it. */
export function selfSignedCert(dir: string): { key: string; cert: string } | undefined {
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath,
    ], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    return undefined;
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}

/**
 * An HTTPS server (HTTP/2 with HTTP/1.1 fallback) with a self-signed certificate. `GET /proto`
 * answers `{ httpVersion }`.
 */
export async function startTlsServer(tls: { key: string; cert: string }): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, http2: true, https: { allowHTTP1: true, key: tls.key, cert: tls.cert } });
  app.get('/proto', async (req) => ({ httpVersion: req.raw.httpVersion }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `https://127.0.0.1:${address.port}`, close: () => app.close() };
}
