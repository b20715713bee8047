import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, ZSTD_SUPPORTED, type HttpClient } from '../../src/http/index.js';
import type { HttpDefaults } from '../../src/scenario/plan.js';
import { HTML, JSON_DOC, startCompressingServer, TEXT, type CompressingServer } from '../support/compressing-server.js';
import { httpDefaults } from '../support/target-server.js';

let server: CompressingServer;
const clients: HttpClient[] = [];
function client(overrides: Partial<HttpDefaults> = {}): HttpClient {
  const c = createHttpClient({ http: httpDefaults(overrides), target: server.url });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await startCompressingServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

/** One request on a fresh connection, and the bytes the server wrote for it. */
async function onWire(c: HttpClient, path: string, extra: { discardBody?: boolean } = {}) {
  const before = server.bytesWritten();
  const res = await c.request({ method: 'GET', url: `${server.url}${path}`, headers: {}, ...extra });
  await new Promise((r) => setTimeout(r, 20)); // the server's socket counters settle after 'finish'
  return { res, wire: server.bytesWritten() - before };
}

describe('compressed responses are decoded for whoever reads the body', () => {
  it.each(['gzip', 'deflate', 'deflate-raw', 'br'])('%s: the decoded body, the bytes on the wire', async (enc) => {
    const c = client({ connections: 1 });
    const plain = await onWire(c, '/json?enc=identity');
    const { res, wire } = await onWire(c, `/json?enc=${enc}`);
    expect(res.error).toBeUndefined();
    expect(res.headers['content-encoding']).toBe(enc === 'deflate-raw' ? 'deflate' : enc);
    expect(JSON.parse(res.body.toString('utf8'))).toEqual(JSON_DOC);
    expect(res.bytesIn).toBe(wire);
    expect(plain.res.bytesIn).toBe(plain.wire);
    expect(res.bytesIn).toBeLessThan(plain.res.bytesIn / 3); // counted compressed, not decoded
  });

  it('text and HTML bodies too', async () => {
    const c = client();
    const text = await c.request({ method: 'GET', url: `${server.url}/text?enc=gzip`, headers: {} });
    const html = await c.request({ method: 'GET', url: `${server.url}/html?enc=br`, headers: {} });
    expect(text.body.toString('utf8')).toBe(TEXT);
    expect(html.body.toString('utf8')).toBe(HTML);
  });

  it('zstd where this Node.js decodes it, else a protocol error that says why', async () => {
    if (ZSTD_SUPPORTED) {
      const res = await client().request({ method: 'GET', url: `${server.url}/json?enc=zstd`, headers: {} });
      expect(JSON.parse(res.body.toString('utf8'))).toEqual(JSON_DOC);
    } else {
      // a server that sends zstd anyway (our accept-encoding did not offer it)
      const res = await client().request({ method: 'GET', url: `${server.url}/unknown`, headers: {} });
      expect(res.error).toMatchObject({ class: 'protocol', message: expect.stringMatching(/content-encoding "compress" cannot be decoded/) });
    }
  });

  it('a body nobody reads is not decoded: a corrupt one is no error, and it is still counted on the wire', async () => {
    const c = client({ connections: 1 });
    const { res, wire } = await onWire(c, '/corrupt', { discardBody: true });
    expect(res.error).toBeUndefined();
    expect(res.body.length).toBe(0);
    expect(res.bytesIn).toBe(wire);
  });

  it('a corrupt or truncated gzip body is a protocol error', async () => {
    const c = client();
    const corrupt = await c.request({ method: 'GET', url: `${server.url}/corrupt`, headers: {} });
    expect(corrupt.status).toBe(200);
    expect(corrupt.error).toMatchObject({ class: 'protocol', message: expect.stringMatching(/could not decode the gzip body: incorrect header check/) });
    const cut = await c.request({ method: 'GET', url: `${server.url}/truncated`, headers: {} });
    expect(cut.error).toMatchObject({ class: 'protocol', message: expect.stringMatching(/could not decode the gzip body: unexpected end of file/) });
    // the connection survives a body that did not decode
    const next = await c.request({ method: 'GET', url: `${server.url}/json?enc=gzip`, headers: {} });
    expect(next.error).toBeUndefined();
  });

  it('a decompression bomb is cut at maxResponseSize of decoded bytes: protocol, too large', async () => {
    const c = client({ maxResponseBytes: 256 * 1024 });
    const t0 = performance.now();
    const { res, wire } = await onWire(c, '/bomb?mb=64');
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(wire).toBeLessThan(256 * 1024); // small on the wire…
    expect(res.error).toMatchObject({ class: 'protocol', message: expect.stringMatching(/response too large: more than 262144 bytes once decoded \(content-encoding gzip\)/) });
    expect(res.body.length).toBeLessThanOrEqual(256 * 1024); // …and never held whole
  });

  it('an unknown coding is a protocol error; an empty 204 and a followed redirect body are not decoded', async () => {
    const c = client();
    const unknown = await c.request({ method: 'GET', url: `${server.url}/unknown`, headers: {} });
    expect(unknown.error).toMatchObject({ class: 'protocol', message: expect.stringMatching(/content-encoding "compress" cannot be decoded/) });
    const empty = await c.request({ method: 'GET', url: `${server.url}/empty`, headers: {} });
    expect(empty).toMatchObject({ status: 204, error: undefined });
    const redirected = await c.request({ method: 'GET', url: `${server.url}/redirect-corrupt`, headers: {} });
    expect(redirected.error).toBeUndefined();
    expect(redirected.redirects).toBe(1);
    expect(JSON.parse(redirected.body.toString('utf8'))).toEqual(JSON_DOC);
  });
});
