/**
 * Live Prometheus metrics of a real run: `--prometheus` scraped mid-run, and `--pushgateway` pushing
 * to Debian's prometheus-pushgateway (started on a free port, stopped by its pid).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scenarioFile, startCli, startLatencyServer, type LatencyServer } from '../support/run-helpers.js';
import { parseExposition, type PromSample } from '../unit/report/prom-text.js';
import { LATENCY_BUCKETS_SECONDS } from '../../src/report/prometheus-families.js';
import { loudSkip } from '../setup/chromium.js';

const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer(5);
});
afterAll(async () => {
  await server.close();
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const scenario = (target: string, duration: string): string => `
name: live
target: ${target}
load:
  phases: [{ name: steady, duration: ${duration}, rate: 20 }]
journeys:
  - name: j
    steps:
      - name: work
        get: /work
thresholds:
  http.errors: ["rate < 1%"]
`;

const value = (samples: PromSample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce<number | undefined>((n, s) => (n ?? 0) + s.value, undefined);

describe('rampart run --prometheus', () => {
  it('serves live metrics during the run', async () => {
    const port = await freePort();
    const { dir, file } = await scenarioFile(scenario(server.url, '4s'));
    const run = startCli(['run', file, '-q', '--prometheus', `127.0.0.1:${port}`], { cwd: dir });
    let ended = false;
    void run.done.then(() => (ended = true));
    let mid: PromSample[] | undefined;
    const deadline = Date.now() + 10_000;
    while (!ended && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      if (!res || res.status !== 200) continue;
      const { samples } = parseExposition(await res.text());
      if ((value(samples, 'rampart_http_requests_total') ?? 0) > 0 && value(samples, 'rampart_run_finished') === 0) {
        mid = samples;
        break;
      }
    }
    expect(mid, run.stderr()).toBeDefined();
    const s = mid ?? [];
    expect(run.stderr()).toContain(`prometheus: serving http://127.0.0.1:${port}/metrics`);
    expect(value(s, 'rampart_run_info', { scenario: 'live' })).toBe(1);
    expect(value(s, 'rampart_run_phase', { phase: 'steady' })).toBe(1);
    expect(value(s, 'rampart_target_arrival_rate')).toBe(20);
    const buckets = s.filter((x) => x.name === 'rampart_http_latency_seconds_bucket' && x.labels.step === 'work');
    expect(new Set(buckets.map((b) => b.labels.le))).toEqual(new Set([...LATENCY_BUCKETS_SECONDS.map(String), '+Inf']));
    expect(value(s, 'rampart_http_latency_seconds_bucket', { step: 'work', le: '+Inf' })).toBe(value(s, 'rampart_http_latency_seconds_count', { step: 'work' }));
    expect(value(s, 'rampart_http_latency_seconds_bucket', { step: 'work', le: '0.001' })).toBe(0); // the server answers after 5 ms
    expect(value(s, 'rampart_threshold_passing', { threshold: 'http.errors: rate < 1%' })).toBe(1);
    expect(await run.done).toBe(0);
    // Closed with the run.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('a port in use is a usage error before any load', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    const before = server.hits.get('/work') ?? 0;
    const { dir, file } = await scenarioFile(scenario(server.url, '1s'));
    const r = await runCli(['run', file, '-q', '--prometheus', `127.0.0.1:${port}`], { cwd: dir });
    busy.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EADDRINUSE');
    expect(server.hits.get('/work') ?? 0).toBe(before);
  });
});

const hasPushgateway = await access(PUSHGATEWAY, constants.X_OK).then(
  () => true,
  () => false,
);
if (!hasPushgateway) loudSkip('the Pushgateway test', `${PUSHGATEWAY} is missing: apt-get install -y prometheus-pushgateway`);

describe.skipIf(!hasPushgateway)('rampart run --pushgateway', () => {
  let gw: ChildProcess | undefined;
  let url = '';
  beforeAll(async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'rampart-pushgw-'));
    url = `http://127.0.0.1:${port}`;
    gw = spawn(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(dir, 'pg.data')}`], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline || gw.exitCode !== null) throw new Error('the pushgateway did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 30_000);
  afterAll(() => {
    if (gw?.pid !== undefined && gw.exitCode === null) process.kill(gw.pid, 'SIGTERM');
  });

  it('pushes every interval and the final state', async () => {
    const { dir, file } = await scenarioFile(scenario(server.url, '3s'));
    const run = startCli(['run', file, '-q', '--pushgateway', url], { cwd: dir });
    let midRun: number | undefined;
    const deadline = Date.now() + 10_000;
    while (midRun === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      const { samples } = parseExposition(await (await fetch(`${url}/metrics`)).text());
      if (value(samples, 'rampart_run_finished', { job: 'rampart', instance: 'live' }) === 0) midRun = value(samples, 'rampart_http_requests_total', { job: 'rampart' });
    }
    expect(midRun).toBeDefined();
    expect(await run.done).toBe(0);
    expect(run.stderr()).not.toContain('warning');
    const { samples } = parseExposition(await (await fetch(`${url}/metrics`)).text());
    expect(value(samples, 'rampart_run_finished', { job: 'rampart', instance: 'live' })).toBe(1);
    expect(value(samples, 'rampart_run_verdict', { verdict: 'passed' })).toBe(1);
    expect(value(samples, 'rampart_http_requests_total', { job: 'rampart' })).toBeGreaterThan(20);
    expect(value(samples, 'rampart_http_latency_seconds_count', { job: 'rampart' })).toBeGreaterThan(20);
  });
});
