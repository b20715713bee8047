/**
 * `http.tls`, `http.proxy` and `http.hosts` problems are found when the scenario loads, at their
 * position, without connecting anywhere: TLS files are read and checked (certificates made here
 * with openssl), proxy URLs and addresses parsed, secrets collected for redaction.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenarioText, type LoadOptions } from '../../../src/scenario/index.js';
import { bypassesProxy } from '../../../src/http/connect.js';
import { makeTestPki } from '../../support/test-pki.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-network-unit-'));
const pki = makeTestPki(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(http: string, opts: Partial<LoadOptions> = {}) {
  const text = `name: network\nhttp:\n${http.replace(/^/gm, '  ')}\nload: { vus: 1, iterations: 1 }\njourneys:\n  - name: j\n    steps: [{ get: "https://127.0.0.1/" }]\n`;
  return parseScenarioText(text, path.join(dir, 'scenario.yaml'), { env: {}, ...opts });
}

const where = (r: Awaited<ReturnType<typeof load>>) => r.problems.map((p) => ({ line: p.loc.line, col: p.loc.col, pointer: p.loc.pointer, code: p.code, message: p.message }));

describe.skipIf(pki === undefined)('http.tls files', () => {
  it('reads the files into the plan', async () => {
    const r = await load('tls: { ca: ca.pem, cert: client.pem, key: client.key, servername: shop.example.test, minVersion: TLSv1.2 }');
    expect(r.problems).toEqual([]);
    const t = r.plan?.http.tls?.base;
    expect(t?.ca?.[0]).toContain('BEGIN CERTIFICATE');
    expect(t?.key).toContain('PRIVATE KEY');
    expect(t).toMatchObject({ caMode: 'add', servername: 'shop.example.test', minVersion: 'TLSv1.2' });
  });

  it('names a missing file at its position', async () => {
    const r = await load('tls:\n  ca: [ca.pem, missing-ca.pem]');
    expect(where(r)).toEqual([expect.objectContaining({ line: 4, pointer: '/http/tls/ca/1', code: 'RAMPART_TLS_FILE', message: 'TLS file missing-ca.pem is not found' })]);
  });

  it('refuses a CA file without certificates', async () => {
    writeFileSync(path.join(dir, 'not-a-ca.pem'), 'hello\n');
    const r = await load('tls: { ca: not-a-ca.pem }');
    expect(where(r)).toEqual([expect.objectContaining({ pointer: '/http/tls/ca', code: 'RAMPART_TLS_FILE' })]);
    expect(r.problems[0]?.message).toMatch(/no PEM certificate/);
  });

  it('finds a key that does not match its certificate', async () => {
    const r = await load('tls:\n  cert: client.pem\n  key: other.key');
    expect(where(r)).toEqual([expect.objectContaining({ line: 5, pointer: '/http/tls/key', code: 'RAMPART_TLS_FILE' })]);
    expect(r.problems[0]?.message).toMatch(/does not match its certificate/);
  });

  it('finds a wrong pfx passphrase and does not print it', async () => {
    const r = await load('tls:\n  origins:\n    "https://api.example.test":\n      pfx: client.pfx\n      passphrase: not-the-one');
    expect(where(r)).toEqual([expect.objectContaining({ line: 7, pointer: '/http/tls/origins/https:~1~1api.example.test/passphrase', code: 'RAMPART_TLS_FILE' })]);
    expect(r.problems[0]?.message).toMatch(/wrong or missing passphrase/);
    expect(JSON.stringify(r.problems)).not.toContain('not-the-one');
  });

  it('accepts the right passphrase and lists it as a secret', async () => {
    const r = await load(`tls: { pfx: client.pfx, passphrase: "${pki?.pfxPassphrase}" }`);
    expect(r.problems).toEqual([]);
    expect(r.plan?.secrets).toContain(pki?.pfxPassphrase);
  });

  it('wants cert with key, and not both pfx and cert', async () => {
    expect(where(await load('tls: { cert: client.pem }'))).toEqual([expect.objectContaining({ pointer: '/http/tls/cert', code: 'RAMPART_SEMANTIC' })]);
    const both = await load(`tls: { pfx: client.pfx, passphrase: "${pki?.pfxPassphrase}", cert: client.pem, key: client.key }`);
    expect(both.problems.map((p) => p.loc.pointer)).toContain('/http/tls/pfx');
  });

  it('resolves the files of an included file against that file', async () => {
    const sub = mkdtempSync(path.join(dir, 'shared-'));
    copyFileSync(path.join(dir, 'ca.pem'), path.join(sub, 'company-ca.pem'));
    writeFileSync(path.join(sub, 'http.yaml'), 'http:\n  tls: { ca: company-ca.pem }\n');
    const text = `name: n\ninclude: ${path.basename(sub)}/http.yaml\nload: { vus: 1, iterations: 1 }\njourneys: [{ name: j, steps: [{ get: "https://127.0.0.1/" }] }]\n`;
    const r = await parseScenarioText(text, path.join(dir, 'scenario.yaml'), { env: {} });
    expect(r.problems).toEqual([]);
    expect(r.plan?.http.tls?.base.ca).toHaveLength(1);
  });
});

describe('http.proxy and http.hosts', () => {
  it('takes http.proxy over the environment and keeps its credentials secret', async () => {
    const r = await load('proxy: "http://qa:pa%24%24word@proxy.corp:3128"', { env: { HTTPS_PROXY: 'http://other:1' } });
    expect(r.problems).toEqual([]);
    expect(r.plan?.http.proxy).toEqual({ http: 'http://qa:pa%24%24word@proxy.corp:3128', https: 'http://qa:pa%24%24word@proxy.corp:3128', noProxy: [], source: 'scenario' });
    expect(r.plan?.secrets).toEqual(expect.arrayContaining(['pa$$word', 'pa%24%24word', Buffer.from('qa:pa$$word').toString('base64')]));
  });

  it('reads HTTP_PROXY / HTTPS_PROXY / NO_PROXY, lower case first, unless --no-proxy', async () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'https://lower:2', NO_PROXY: 'localhost, .corp.example' };
    expect((await load('timeout: 1s', { env })).plan?.http.proxy).toEqual({ https: 'https://lower:2', noProxy: ['localhost', '.corp.example'], source: 'environment' });
    expect((await load('timeout: 1s', { env, noProxy: true })).plan?.http.proxy).toBeUndefined();
    expect((await load('timeout: 1s')).plan?.http.proxy).toBeUndefined();
  });

  it('reports a proxy URL it cannot use', async () => {
    expect(where(await load('proxy: "http://proxy.corp:3128/some/path"'))).toEqual([expect.objectContaining({ pointer: '/http/proxy', code: 'RAMPART_NETWORK' })]);
    const env = await load('timeout: 1s', { env: { HTTPS_PROXY: 'not a url' } });
    expect(env.problems[0]?.message).toMatch(/HTTPS_PROXY is not a URL/);
  });

  it('parses host addresses with and without ports', async () => {
    const r = await load('hosts: { Shop.Example.com: 10.0.0.7, api.example.com: "10.0.0.8:8443", v6.example.com: "[::1]:9000", bad.example.com: "10.0.0.9:99999" }');
    expect(where(r)).toEqual([expect.objectContaining({ pointer: '/http/hosts/bad.example.com', code: 'RAMPART_NETWORK' })]);
    const ok = await load('hosts: { Shop.Example.com: 10.0.0.7, api.example.com: "10.0.0.8:8443", v6.example.com: "[::1]:9000" }');
    expect(ok.plan?.http.hosts).toEqual({ 'shop.example.com': { address: '10.0.0.7' }, 'api.example.com': { address: '10.0.0.8', port: 8443 }, 'v6.example.com': { address: '::1', port: 9000 } });
  });

  it('lets thresholds gate the negotiated TLS and proxy failures', async () => {
    const text = `name: t\ntarget: https://127.0.0.1\nload: { vus: 1, iterations: 1 }\njourneys: [{ name: j, steps: [{ get: / }] }]\nthresholds:\n  "http.tls{tls_version:TLSv1.2}": ["count == 0"]\n  "http.errors{error:proxy}": ["rate == 0"]\n`;
    const r = await parseScenarioText(text, path.join(dir, 't.yaml'), { env: {} });
    expect(r.problems).toEqual([]);
  });

  it('matches NO_PROXY entries like curl', () => {
    const cases: [string[], string, string, boolean][] = [
      [['*'], 'a.b', '443', true],
      [['example.com'], 'example.com', '443', true],
      [['example.com'], 'api.example.com', '443', true],
      [['example.com'], 'badexample.com', '443', false],
      [['.example.com'], 'api.example.com', '443', true],
      [['*.example.com'], 'example.com', '443', true],
      [['127.0.0.1:8080'], '127.0.0.1', '8080', true],
      [['127.0.0.1:8080'], '127.0.0.1', '9090', false],
      [['[::1]:8080'], '::1', '8080', true],
      [['::1'], '::1', '80', true],
    ];
    for (const [list, host, port, want] of cases) expect([list, host, port, bypassesProxy(list, host, port)]).toEqual([list, host, port, want]);
  });
});
