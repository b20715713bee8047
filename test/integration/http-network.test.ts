/**
 * `http.tls`, `http.proxy` (and the proxy variables) and `http.hosts` against real servers started
 * here: an HTTPS server whose certificate a test CA signed, one that requires a client certificate,
 * a plain HTTP server, and a CONNECT proxy. Plans come from scenario text, so the files are read
 * and checked as a user's would be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/index.js';
import { parseScenarioText, type LoadOptions } from '../../src/scenario/index.js';
import type { Plan } from '../../src/scenario/plan.js';
import { startConnectProxy, type TestProxy } from '../support/connect-proxy.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-network-'));
const pki = makeTestPki(dir);
let tlsServer: HttpsServer;
let mtlsServer: HttpsServer;
let plainServer: HttpServer;
let proxy: TestProxy;
let authProxy: TestProxy;
const clients: HttpClient[] = [];
const portOf = (s: { address(): AddressInfo | string | null }): number => (s.address() as AddressInfo).port;

function listen<T extends HttpServer | HttpsServer>(s: T): Promise<T> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

beforeAll(async () => {
  if (pki === undefined) return;
  const p = pki as TestPki;
  const answer = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const sock = req.socket as TLSSocket;
    const peer = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : undefined;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ host: req.headers.host, client: peer?.subject?.CN ?? null }));
  };
  tlsServer = await listen(createHttpsServer({ key: p.serverKey, cert: p.serverCert }, answer));
  mtlsServer = await listen(createHttpsServer({ key: p.serverKey, cert: p.serverCert, ca: p.ca, requestCert: true, rejectUnauthorized: true }, answer));
  plainServer = await listen(createHttpServer(answer));
  proxy = await startConnectProxy();
  authProxy = await startConnectProxy({ auth: { user: 'qa', password: 'pr0xy-s3cret' } });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of [tlsServer, mtlsServer, plainServer]) s?.closeAllConnections();
  await Promise.all([tlsServer, mtlsServer, plainServer].map((s) => (s ? new Promise((r) => s.close(r)) : undefined)));
  await proxy?.close();
  await authProxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A plan whose `http` block is `http` (YAML lines, indented under `http:`). */
async function plan(http: string, opts: Partial<LoadOptions> = {}): Promise<Plan> {
  const text = `name: network\nhttp:\n${http.replace(/^/gm, '  ')}\nload: { vus: 1, iterations: 1 }\njourneys:\n  - name: j\n    steps: [{ get: "https://127.0.0.1/" }]\n`;
  const r = await parseScenarioText(text, path.join(dir, 'scenario.yaml'), { env: {}, ...opts });
  expect(r.problems).toEqual([]);
  return r.plan as Plan;
}

function client(p: Plan): HttpClient {
  const c = createHttpClient({ http: p.http, target: `https://127.0.0.1:${portOf(tlsServer)}` });
  clients.push(c);
  return c;
}

const get = (c: HttpClient, url: string) => c.request({ method: 'GET', url, headers: {} });

describe.skipIf(pki === undefined)('http.tls', () => {
  it('trusts the test CA with `ca`, and refuses the server without it (tls)', async () => {
    const url = `https://127.0.0.1:${portOf(tlsServer)}/`;
    const without = await get(client(await plan('timeout: 5s')), url);
    expect(without.status).toBe(0);
    expect(without.error?.class).toBe('tls');
    const added = await get(client(await plan('tls: { ca: ca.pem }')), url);
    expect(added.error).toBeUndefined();
    expect(added.status).toBe(200);
    // The negotiated protocol and cipher come with the request that opened the connection.
    expect(added.tls?.version).toMatch(/^TLSv1\.[23]$/);
    expect(added.tls?.cipher).toMatch(/[A-Z0-9_-]{6,}/);
    const only = await get(client(await plan('tls: { ca: [ca.pem], caMode: replace, maxVersion: TLSv1.2 }')), url);
    expect(only.status).toBe(200);
    expect(only.tls?.version).toBe('TLSv1.2');
  });

  it('presents a client certificate from cert/key or from a pfx, and is refused without one', async () => {
    const url = `https://127.0.0.1:${portOf(mtlsServer)}/`;
    const none = await get(client(await plan('tls: { ca: ca.pem }')), url);
    expect(none.status).toBe(0);
    expect(['tls', 'reset']).toContain(none.error?.class);
    const pem = await get(client(await plan('tls: { ca: ca.pem, cert: client.pem, key: client.key }')), url);
    expect(pem.error).toBeUndefined();
    expect(JSON.parse(pem.body.toString()).client).toBe('rampart client');
    const pfxPlan = await plan(`tls: { ca: ca.pem, pfx: client.pfx, passphrase: "${pki?.pfxPassphrase}" }`);
    expect(pfxPlan.secrets).toContain(pki?.pfxPassphrase);
    const pfx = await get(client(pfxPlan), url);
    expect(pfx.error).toBeUndefined();
    expect(JSON.parse(pfx.body.toString()).client).toBe('rampart client');
  });

  it('applies per-origin settings to their origin only', async () => {
    const mtls = `https://127.0.0.1:${portOf(mtlsServer)}`;
    const p = await plan(`tls:\n  ca: ca.pem\n  origins:\n    "${mtls}": { cert: client.pem, key: client.key }`);
    const c = client(p);
    expect((await get(c, `${mtls}/`)).status).toBe(200);
    expect((await get(c, `https://127.0.0.1:${portOf(tlsServer)}/`)).status).toBe(200);
    const other = await get(client(await plan(`tls:\n  ca: ca.pem\n  origins:\n    "https://127.0.0.1:1": { cert: client.pem, key: client.key }`)), `${mtls}/`);
    expect(other.status).toBe(0);
  });
});

describe.skipIf(pki === undefined)('http.hosts', () => {
  it('sends a host name to 127.0.0.1 and still verifies the certificate against the name', async () => {
    const port = portOf(tlsServer);
    const p = await plan('tls: { ca: ca.pem }\nhosts: { shop.example.test: 127.0.0.1, wrong.example.test: 127.0.0.1 }');
    const c = client(p);
    const ok = await get(c, `https://shop.example.test:${port}/`);
    expect(ok.error).toBeUndefined();
    expect(JSON.parse(ok.body.toString()).host).toBe(`shop.example.test:${port}`);
    // Same address, a name the certificate does not carry: verification fails.
    const wrong = await get(c, `https://wrong.example.test:${port}/`);
    expect(wrong.error?.class).toBe('tls');
    expect(wrong.error?.message).toMatch(/wrong\.example\.test/);
  });

  it('can give the port too', async () => {
    const p = await plan(`hosts: { "api.example.test": "127.0.0.1:${portOf(plainServer)}" }`);
    const res = await get(client(p), 'http://api.example.test/');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString()).host).toBe('api.example.test');
  });
});

describe.skipIf(pki === undefined)('proxies', () => {
  it('tunnels through http.proxy, TLS to the target verified end to end', async () => {
    const before = proxy.tunnels.length;
    const port = portOf(mtlsServer);
    const p = await plan(`proxy: ${proxy.url}\ntls: { ca: ca.pem, cert: client.pem, key: client.key }\nhosts: { shop.example.test: 127.0.0.1 }`);
    const res = await get(client(p), `https://shop.example.test:${port}/`);
    expect(res.error).toBeUndefined();
    expect(JSON.parse(res.body.toString()).client).toBe('rampart client');
    expect(proxy.tunnels.slice(before)).toEqual([`127.0.0.1:${port}`]);
    expect(res.timings.connectUs).toBeGreaterThan(0);
  });

  it('reaches an https:// proxy verified with the scenario CAs', async () => {
    const p = pki as TestPki;
    const tlsProxy = await startConnectProxy({ tls: { key: p.serverKey, cert: p.serverCert } });
    try {
      const url = `https://127.0.0.1:${portOf(tlsServer)}/`;
      const res = await get(client(await plan(`proxy: https://localhost:${tlsProxy.port}\ntls: { ca: ca.pem }`)), url);
      expect(res.error).toBeUndefined();
      expect(tlsProxy.tunnels).toEqual([`127.0.0.1:${portOf(tlsServer)}`]);
      // Without the CA the proxy's own certificate is refused: the proxy's failure.
      const untrusted = await get(client(await plan(`proxy: https://localhost:${tlsProxy.port}\ninsecureSkipTlsVerify: false`)), url);
      expect(untrusted.error?.class).toBe('proxy');
    } finally {
      await tlsProxy.close();
    }
  });

  it('keeps connections opened ahead of the load going through the proxy', async () => {
    const before = proxy.tunnels.length;
    const port = portOf(tlsServer);
    const p = await plan(`proxy: ${proxy.url}\ntls: { ca: ca.pem }\nconnections: 2`);
    const c = createHttpClient({ http: p.http, target: `https://127.0.0.1:${port}` });
    clients.push(c);
    const pre = await c.preconnect?.(2, 2, 3_000);
    expect(pre).toMatchObject({ opened: 2, failed: 0 });
    expect(proxy.tunnels.length - before).toBe(2);
    const res = await get(c, `https://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect(res.timings.connectUs).toBeUndefined();
    expect(res.tls?.version).toMatch(/^TLSv1/);
    expect(proxy.tunnels.length - before).toBe(2);
  });

  it('uses HTTPS_PROXY / HTTP_PROXY, bypasses hosts in NO_PROXY, and --no-proxy ignores them', async () => {
    const https = `https://127.0.0.1:${portOf(tlsServer)}/`;
    const http = `http://127.0.0.1:${portOf(plainServer)}/`;
    let before = proxy.tunnels.length;
    const viaEnv = client(await plan('tls: { ca: ca.pem }', { env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url } }));
    expect((await get(viaEnv, https)).status).toBe(200);
    expect((await get(viaEnv, http)).status).toBe(200);
    expect(proxy.tunnels.length - before).toBe(2);
    before = proxy.tunnels.length;
    const bypass = client(await plan('tls: { ca: ca.pem }', { env: { https_proxy: proxy.url, NO_PROXY: 'localhost, 127.0.0.1' } }));
    expect((await get(bypass, https)).status).toBe(200);
    const ignored = client(await plan('tls: { ca: ca.pem }', { env: { HTTPS_PROXY: proxy.url }, noProxy: true }));
    expect((await get(ignored, https)).status).toBe(200);
    expect(proxy.tunnels.length).toBe(before);
  });

  it('classifies a 407 and an unreachable proxy as `proxy`, and keeps its credentials secret', async () => {
    const url = `https://127.0.0.1:${portOf(tlsServer)}/`;
    const refused = await get(client(await plan(`proxy: ${authProxy.url}\ntls: { ca: ca.pem }`)), url);
    expect(refused.status).toBe(0);
    expect(refused.error?.class).toBe('proxy');
    expect(refused.error?.message).toMatch(/407/);
    expect(authProxy.refused).toBeGreaterThan(0);
    const withCreds = await plan(`proxy: http://qa:pr0xy-s3cret@127.0.0.1:${authProxy.port}\ntls: { ca: ca.pem }`);
    expect(withCreds.secrets).toContain('pr0xy-s3cret');
    const ok = await get(client(withCreds), url);
    expect(ok.error).toBeUndefined();
    expect(ok.status).toBe(200);
    const closed = await listen(createHttpServer());
    const closedPort = portOf(closed);
    await new Promise((r) => closed.close(r));
    const gone = await get(client(await plan(`proxy: http://127.0.0.1:${closedPort}\ntls: { ca: ca.pem }`)), url);
    expect(gone.error?.class).toBe('proxy');
    expect(gone.error?.message).toMatch(/ECONNREFUSED|cannot reach the proxy/);
  });
});
