/**
 * The gateway's HAProxy configuration: the generated one (mocks/topology) and the committed one
 * (deploy/gateway/haproxy.cfg) pass `haproxy -c`; routing, balancing, health checks, retries and the
 * exporter are where they should be; bad input is refused; the stats CSV is read by column name.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOPOLOGY_TOOLS, ensureTopologyTool, parseStatsCsv, renderHaproxyConfig } from '../../../mocks/topology/index.js';

let haproxy = '';
// Installing Debian's haproxy when missing may take a while: not inside a test.
beforeAll(() => {
  haproxy = ensureTopologyTool(TOPOLOGY_TOOLS.haproxy);
}, 300_000);
const check = (text: string): { code: number | null; out: string } => {
  const file = join(mkdtempSync(join(tmpdir(), 'rampart-haproxy-')), 'haproxy.cfg');
  writeFileSync(file, text);
  const r = spawnSync(haproxy, ['-c', '-f', file], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const backends = {
  catalog: [
    { name: 'catalog-1', address: '127.0.0.1:41001' },
    { name: 'catalog-2', address: '127.0.0.1:41002' },
  ],
  orders: [{ name: 'orders-1', address: '127.0.0.1:41003' }],
  payments: [{ name: 'payments-1', address: '127.0.0.1:41004' }],
};

describe('generated configuration', () => {
  it('passes haproxy -c without a warning', () => {
    const r = check(renderHaproxyConfig({ bind: '127.0.0.1:18080', statsBind: '127.0.0.1:18404', backends, balance: 'leastconn' }));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Configuration file is valid/);
    expect(r.out).not.toMatch(/WARNING|ALERT/);
  });

  it('routes by path, balances as asked, checks /health/ready, retries connection failures elsewhere', () => {
    const cfg = renderHaproxyConfig({ bind: '127.0.0.1:18080', statsBind: '127.0.0.1:18404', backends, checkIntervalMs: 300, fall: 3, rise: 1, retries: 4 });
    expect(cfg).toContain('acl is_catalog path_beg /products /cache');
    expect(cfg).toContain('acl is_orders path_beg /orders');
    expect(cfg).toContain('acl is_payments path_beg /payments /admin/upstream');
    expect(cfg.match(/balance roundrobin/g)).toHaveLength(3);
    expect(cfg.match(/http-check send meth GET uri \/health\/ready/g)).toHaveLength(3);
    expect(cfg).toContain('default-server inter 300ms fastinter 150ms downinter 300ms fall 3 rise 1');
    expect(cfg).toContain('retries 4');
    expect(cfg).toContain('option redispatch 1');
    expect(cfg).toContain('retry-on conn-failure');
    expect(cfg).toContain('http-request use-service prometheus-exporter if { path /metrics }');
    expect(cfg).toContain('server catalog-2 127.0.0.1:41002 check');
  });

  it('leaves out services without instances, and refuses an empty topology or a malformed address', () => {
    const only = renderHaproxyConfig({ bind: '127.0.0.1:1', statsBind: '127.0.0.1:2', backends: { orders: backends.orders } });
    expect(only).not.toContain('backend catalog');
    expect(only).toContain('default_backend orders');
    expect(() => renderHaproxyConfig({ bind: '127.0.0.1:1', statsBind: '127.0.0.1:2', backends: {} })).toThrow(/at least one service/);
    expect(() => renderHaproxyConfig({ bind: '127.0.0.1:1', statsBind: '127.0.0.1:2', backends: { orders: [{ name: 'o', address: '127.0.0.1:80\nlisten evil' }] } })).toThrow(/not a host:port/);
    expect(() => renderHaproxyConfig({ bind: '127.0.0.1:1', statsBind: '127.0.0.1:2', backends: { orders: [{ name: 'o 1', address: '127.0.0.1:80' }] } })).toThrow(/not a server name/);
  });
});

describe('deploy/gateway/haproxy.cfg', () => {
  const text = readFileSync(join(import.meta.dirname, '../../../deploy/gateway/haproxy.cfg'), 'utf8');
  it('passes haproxy -c (its DNS names only resolve inside compose or the cluster)', () => {
    const r = check(text);
    expect(r.code, r.out).toBe(0);
    const warnings = r.out.split('\n').filter((l) => /WARNING|ALERT/.test(l) && !/could not resolve address '(catalog|orders|payments)-pods'/.test(l));
    expect(warnings).toEqual([]);
  });

  it('has the same routing, checks and retry policy as the generated one', () => {
    for (const line of ['retry-on conn-failure', 'option redispatch 1', 'acl is_orders path_beg /orders', 'http-request use-service prometheus-exporter if { path /metrics }', 'parse-resolv-conf']) {
      expect(text).toContain(line);
    }
    expect(text.match(/http-check send meth GET uri \/health\/ready/g)).toHaveLength(3);
  });
});

describe('stats CSV', () => {
  it('reads servers by column name and sums the response classes', () => {
    const csv = [
      '# pxname,svname,qcur,scur,econ,wretr,wredis,status,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,',
      'gateway,FRONTEND,,3,,,,OPEN,0,10,0,1,0,0,',
      'catalog,catalog-1,0,2,0,1,1,UP,0,7,0,1,2,0,',
      'catalog,catalog-2,0,0,4,0,0,DOWN 1/2,0,3,0,0,0,0,',
      'catalog,BACKEND,0,2,4,1,1,UP,0,10,0,1,2,0,',
    ].join('\n');
    expect(parseStatsCsv(csv)).toEqual([
      { backend: 'catalog', server: 'catalog-1', status: 'UP', responses: 10, current: 2, connectionErrors: 0, retries: 1, redispatches: 1 },
      { backend: 'catalog', server: 'catalog-2', status: 'DOWN 1/2', responses: 3, current: 0, connectionErrors: 4, retries: 0, redispatches: 0 },
    ]);
  });
});

describe('tool lookup', () => {
  it('names the Debian package when a tool is missing and may not be installed', () => {
    expect(() => ensureTopologyTool({ command: 'rampart-no-such-tool', debPackage: 'haproxy' }, { allowInstall: false })).toThrow(
      /rampart-no-such-tool was not found on PATH; install Debian's package: apt-get install -y haproxy/,
    );
  });
});
