/**
 * The network settings through the CLI: `rampart run --workers 2` reaches a server that requires a
 * client certificate, through a CONNECT proxy, by a host name `http.hosts` sends to 127.0.0.1 — so
 * the settings reach the worker threads — and the summary names the negotiated TLS; `rampart
 * validate` finds a wrong TLS file without connecting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { startConnectProxy, type TestProxy } from '../support/connect-proxy.js';
import { runCli } from '../support/run-helpers.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';

const dir = mkdtempSync(join(os.tmpdir(), 'rampart-network-cli-'));
const work = { dir, file: join(dir, 'scenario.yaml') };
const pki: TestPki | undefined = makeTestPki(dir);
let server: Server | undefined;
let proxy: TestProxy | undefined;
let requests = 0;

beforeAll(async () => {
  if (pki === undefined) return;
  server = createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    requests++;
    res.end(req.headers.host === undefined ? 'no host' : 'ok');
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  proxy = await startConnectProxy({ auth: { user: 'qa', password: 'proxy-pw-91' } });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

const scenario = (port: number, proxyUrl: string): string => `
name: network-cli
target: https://shop.example.test:${port}
http:
  proxy: ${proxyUrl}
  hosts: { shop.example.test: 127.0.0.1 }
  tls: { ca: ca.pem, pfx: client.pfx, passphrase: "\${PFX_PASS}" }
load: { vus: 2, iterations: 6 }
journeys:
  - name: j
    steps:
      - { name: home, get: /, expect: { status: 200 } }
thresholds:
  http.errors: ["rate == 0"]
`;

describe.skipIf(pki === undefined)('network settings through the CLI', () => {
  it('runs on worker threads with the client certificate, the proxy and the host override, and says what TLS it got', async () => {
    if (pki === undefined || server === undefined || proxy === undefined) throw new Error('not started');
    const port = (server.address() as AddressInfo).port;
    await writeFile(work.file, scenario(port, `http://qa:proxy-pw-91@127.0.0.1:${proxy.port}`));
    const out = join(work.dir, 'report.json');
    const r = await runCli(['run', work.file, '--workers', '2', '--quiet', '--out', out], { cwd: work.dir, env: { PFX_PASS: pki.pfxPassphrase } });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(requests).toBeGreaterThanOrEqual(6);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(proxy.tunnels.every((t) => t === `127.0.0.1:${port}`)).toBe(true);
    expect(r.stderr + r.stdout).toMatch(/tls: TLSv1\.[23] \S+ \(\d+ connections?\)/);
    const text = await readFile(out, 'utf8');
    const report = JSON.parse(text) as Report;
    const tls = report.series.filter((s) => s.metric === 'http.tls');
    expect(tls.reduce((n, s) => n + s.sum, 0)).toBeGreaterThan(0);
    expect(tls[0]?.tags['tls_version']).toMatch(/^TLSv1/);
    for (const secret of [pki.pfxPassphrase, 'proxy-pw-91']) expect(text + r.stderr + r.stdout).not.toContain(secret);
  });

  it('fails with `proxy` errors when the proxy asks for credentials', async () => {
    if (pki === undefined || server === undefined || proxy === undefined) throw new Error('not started');
    await writeFile(work.file, scenario((server.address() as AddressInfo).port, proxy.url));
    const out = join(work.dir, 'report-407.json');
    const r = await runCli(['run', work.file, '--quiet', '--out', out], { cwd: work.dir, env: { PFX_PASS: pki.pfxPassphrase } });
    expect(r.code).toBe(1);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    const errors = report.series.filter((s) => s.metric === 'http.requests' && s.tags['error'] !== undefined);
    expect(errors.map((s) => s.tags['error'])).toEqual(['proxy']);
  });

  it('validate checks the TLS files without connecting', async () => {
    if (pki === undefined || server === undefined || proxy === undefined) throw new Error('not started');
    const before = { requests, tunnels: proxy.tunnels.length, refused: proxy.refused };
    await writeFile(work.file, scenario((server.address() as AddressInfo).port, proxy.url));
    const good = await runCli(['validate', work.file], { cwd: work.dir, env: { PFX_PASS: pki.pfxPassphrase } });
    expect(good.stdout).toContain('valid');
    expect(good.code).toBe(0);
    const bad = await runCli(['validate', work.file], { cwd: work.dir, env: { PFX_PASS: 'wrong-pass' } });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/scenario\.yaml:7:\d+.*wrong or missing passphrase/);
    expect(bad.stdout).not.toContain('wrong-pass');
    expect({ requests, tunnels: proxy.tunnels.length, refused: proxy.refused }).toEqual(before);
  });
});
