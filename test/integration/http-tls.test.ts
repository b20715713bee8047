import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/index.js';
import { httpDefaults, selfSignedCert, startTlsServer } from '../support/target-server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-tls-'));
const cert = selfSignedCert(dir);
let server: { url: string; close(): Promise<void> } | undefined;
const clients: HttpClient[] = [];

beforeAll(async () => {
  if (cert) server = await startTlsServer(cert);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(overrides: Parameters<typeof httpDefaults>[0]): HttpClient {
  const c = createHttpClient({ http: httpDefaults(overrides), target: server?.url ?? '' });
  clients.push(c);
  return c;
}

describe.skipIf(cert === undefined)('TLS and HTTP/2', () => {
  it('verifies certificates by default: a self-signed one is a tls error', async () => {
    const res = await client({}).request({ method: 'GET', url: `${server?.url}/proto`, headers: {} });
    expect(res.status).toBe(0);
    expect(res.error?.class).toBe('tls');
  });

  it('accepts it with tlsVerify false, over HTTP/1.1 unless http2 is on', async () => {
    const h1 = await client({ tlsVerify: false }).request({ method: 'GET', url: `${server?.url}/proto`, headers: {} });
    expect(h1.error).toBeUndefined();
    expect(JSON.parse(h1.body.toString())).toEqual({ httpVersion: '1.1' });
    const h2 = await client({ tlsVerify: false, http2: true }).request({ method: 'GET', url: `${server?.url}/proto`, headers: {} });
    expect(h2.error).toBeUndefined();
    expect(h2.status).toBe(200);
    expect(JSON.parse(h2.body.toString())).toEqual({ httpVersion: '2.0' });
    expect(h2.headers['content-type']).toMatch(/application\/json/);
    expect(h2.bytesIn).toBeGreaterThan(h2.body.length);
    expect(h2.timings.connectUs).toBeGreaterThan(0);
  });
});
