/**
 * Faults during a run, against real servers on 127.0.0.1: a target killed mid-run and restarted on
 * the same port; targets that never answer, send an endless body, or reset. The run keeps its
 * schedule, failures are classified, the report is written, and file descriptors and heap return
 * near their baseline afterwards.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import type { SeriesReport } from '../../src/metrics/types.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';
import { eventually, openFds } from './support.js';

const errorsByClass = (r: Report): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const s of r.series.filter((x: SeriesReport) => x.metric === 'http.errors' && x.tags.error !== undefined)) {
    const k = s.tags.error as string;
    out[k] = (out[k] ?? 0) + s.sum;
  }
  return out;
};

/** The seconds (rounded `t`) whose timeline point counts errors of this class. */
const secondsWith = (r: Report, cls: string): number[] => r.timeline.filter((p) => (p.errorsByClass?.[cls] ?? 0) > 0).map((p) => Math.round(p.t));
const classTotal = (p: Report['timeline'][number]): number => Object.values(p.errorsByClass ?? {}).reduce((a, b) => a + b, 0);

/** A keep-alive `http` server that can be killed (every connection cut) and restarted on its port. */
class Restartable {
  server: Server | undefined;
  port = 0;
  firstAt = 0;
  served = 0;
  readonly sockets = new Set<Socket>();
  async start(port = 0): Promise<void> {
    const server = createServer((_req, res: ServerResponse) => {
      if (this.firstAt === 0) this.firstAt = Date.now();
      this.served++;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
  async kill(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const sock of this.sockets) sock.destroy();
    await closed;
  }
}

describe('the target dies mid-run and comes back on the same port', () => {
  it('the run keeps its schedule, the outage is refused errors in its seconds of the timeline, the report is written', async () => {
    const target = new Restartable();
    await target.start();
    const { dir, file } = await scenarioFile(`
name: outage
target: http://127.0.0.1:${target.port}
http: { timeout: 1s, connectTimeout: 500ms }
load:
  phases: [{ name: steady, duration: 8s, rate: 25 }]
journeys:
  - name: j
    steps: [{ name: ping, get: /ping }]
`);
    const out = join(dir, 'report.json');
    const run = runCli(['run', file, '--quiet', '--out', out], { cwd: dir });
    expect(await eventually(() => target.firstAt > 0, 3000)).toBe(true);
    const t0 = target.firstAt;
    await new Promise((r) => setTimeout(r, t0 + 2200 - Date.now()));
    await target.kill();
    const servedBefore = target.served;
    await new Promise((r) => setTimeout(r, t0 + 5200 - Date.now()));
    await target.start(target.port);
    const r = await run;
    await target.kill();

    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    // No threshold judges errors: 3 s of 8 refused is past maxFailures.errors (10 %), so it fails and says so.
    expect(r.code, r.stderr).toBe(1);
    expect(report.warnings.join('\n')).toMatch(/requests failed \(refused \d+.*more than maxFailures\.errors 10%/);
    expect(report.durationMs).toBeGreaterThanOrEqual(8000);
    expect(report.durationMs).toBeLessThan(8000 + 2500);
    // Served again after the restart.
    expect(target.served).toBeGreaterThan(servedBefore + 40);

    const classes = errorsByClass(report);
    expect(classes.refused ?? 0).toBeGreaterThanOrEqual(40);
    // Cut keep-alive connections may show as resets; nothing else.
    expect(Object.keys(classes).filter((c) => c !== 'refused' && c !== 'reset')).toEqual([]);

    const at = (t: number): number => report.timeline.find((p) => Math.round(p.t) === t)?.errors ?? -1;
    for (const t of [3, 4, 5]) expect(at(t), `second ${t}: ${JSON.stringify(report.timeline)}`).toBeGreaterThan(10);
    for (const t of [1, 2, 7, 8]) expect(at(t), `second ${t}: ${JSON.stringify(report.timeline)}`).toBe(0);
    // The timeline says which class: refused in the seconds of the outage (2.2 s – 5.2 s), and only there.
    const refusedIn = secondsWith(report, 'refused');
    expect(refusedIn, JSON.stringify(report.timeline)).toEqual(expect.arrayContaining([3, 4, 5]));
    expect(refusedIn.every((t) => t >= 3 && t <= 6), JSON.stringify(refusedIn)).toBe(true);
    for (const p of report.timeline) expect(classTotal(p), `second ${p.t}`).toBe(p.errors);
    // Every arrival was started on schedule, outage or not.
    expect(report.journeys?.[0]?.started).toBe(200);
  });
});

describe('the target resets every connection for a while', () => {
  it('the timeline shows reset errors in exactly those seconds, merged across --workers shards', async () => {
    let firstAt = 0;
    let resetFrom = Infinity;
    let resetUntil = Infinity;
    const server = createServer((req, res) => {
      const now = Date.now();
      if (firstAt === 0) firstAt = now;
      if (now >= resetFrom && now < resetUntil) {
        req.socket.destroy();
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const { dir, file } = await scenarioFile(`
name: resets
target: http://127.0.0.1:${port}
http: { timeout: 1s }
load:
  phases: [{ name: steady, duration: 7s, rate: 20 }]
journeys:
  - name: j
    steps: [{ name: ping, get: /ping }]
`);
      const out = join(dir, 'report.json');
      const run = runCli(['run', file, '--quiet', '--workers', '2', '--out', out], { cwd: dir });
      expect(await eventually(() => firstAt > 0, 5000)).toBe(true);
      resetFrom = firstAt + 2200;
      resetUntil = firstAt + 4200;
      const r = await run;
      expect(r.stderr).not.toMatch(/internal error/i);
      const report = JSON.parse(await readFile(out, 'utf8')) as Report;
      expect(validateReport(report)).toEqual([]);
      const resetIn = secondsWith(report, 'reset');
      // Resets from 2.2 s to 4.2 s: seconds 3 and 4 wholly or mostly, 5 at most by a request in flight.
      expect(resetIn, JSON.stringify(report.timeline)).toEqual(expect.arrayContaining([3, 4]));
      expect(resetIn.every((t) => t >= 3 && t <= 5), JSON.stringify(resetIn)).toBe(true);
      for (const p of report.timeline) {
        expect(Object.keys(p.errorsByClass ?? {}).filter((c) => c !== 'reset'), `second ${p.t}`).toEqual([]);
        expect(classTotal(p), `second ${p.t}`).toBe(p.errors);
      }
      expect(errorsByClass(report).reset ?? 0).toBeGreaterThanOrEqual(25);
    } finally {
      await new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      });
    }
  });
});

describe('hostile targets are bounded by timeouts and maxResponseSize; nothing leaks', () => {
  let server: TargetServer;
  beforeAll(async () => {
    server = await startTargetServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const cases = [
    { name: 'accepts but never answers', path: '/hang', cls: 'timeout', http: '{ timeout: 400ms, connections: 64 }' },
    { name: 'sends an endless body', path: '/endless', cls: 'protocol', http: '{ timeout: 5s, maxResponseSize: 64KB, connections: 64 }' },
    { name: 'resets the connection', path: '/reset', cls: 'reset', http: '{ timeout: 2s, connections: 64 }' },
  ] as const;

  for (const c of cases) {
    it(`a target that ${c.name}: every request fails as ${c.cls}, on schedule; fds and heap back near baseline`, async () => {
      const { dir, file } = await scenarioFile(`
name: hostile
target: ${server.url}
http: ${c.http}
load:
  phases: [{ name: steady, duration: 3s, rate: 20 }]
gracefulStop: 2s
journeys:
  - name: j
    steps: [{ name: bad, get: ${c.path} }]
`);
      const fds = openFds();
      const heap = process.memoryUsage().heapUsed;
      const out = join(dir, 'report.json');
      const t = Date.now();
      const r = await runCli(['run', file, '--quiet', '--out', out], { cwd: dir });
      const took = Date.now() - t;
      const report = JSON.parse(await readFile(out, 'utf8')) as Report;
      // No thresholds: every request failing is past maxFailures, answered or not; the warning names the class.
      expect(r.code, r.stderr).toBe(1);
      expect(report.warnings.join('\n')).toMatch(new RegExp(`60 of 60 requests failed \\(${c.cls} 60\\)`));
      const classes = errorsByClass(report);
      expect(classes[c.cls], JSON.stringify(classes)).toBe(60);
      expect(Object.keys(classes)).toEqual([c.cls]);
      // 3 s of load plus at most the request timeout to settle (plus slack for a shared machine).
      expect(took).toBeLessThan(3000 + 2000 + 3000);
      // Connections are closed with the run: descriptors come back (allow the report file's and a few).
      expect(await eventually(() => openFds() <= fds + 4, 3000), `fds ${fds} → ${openFds()}`).toBe(true);
      // 60 responses cut at 64 KB must not stay reachable: heap stays well under what 60 × 64 KB × a leak would hold.
      expect(process.memoryUsage().heapUsed - heap).toBeLessThan(40 * 1024 * 1024);
    });
  }
});

/**
 * A raw TCP target speaking just enough HTTP to be hostile: headers that trickle and never end, a
 * body that trickles forever, a 1 MB header, a redirect to itself.
 */
async function rawHostile(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    const timers: NodeJS.Timeout[] = [];
    sock.on('close', () => {
      sockets.delete(sock);
      timers.forEach(clearInterval);
    });
    sock.on('error', () => undefined);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const path = buf.slice(0, end).split(' ')[1] ?? '/';
      buf = buf.slice(end + 4);
      if (path === '/slow-headers') {
        sock.write('HTTP/1.1 200 OK\r\n');
        timers.push(setInterval(() => sock.write('x-drip: a\r\n'), 100));
      } else if (path === '/drip-body') {
        sock.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
        timers.push(setInterval(() => sock.write('1\r\nx\r\n'), 100));
      } else if (path === '/huge-header') {
        sock.end(`HTTP/1.1 200 OK\r\nx-huge: ${'h'.repeat(1024 * 1024)}\r\ncontent-length: 2\r\n\r\nok`);
      } else {
        sock.write('HTTP/1.1 302 Found\r\nlocation: /loop\r\ncontent-length: 0\r\n\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('targets that bend HTTP', () => {
  let raw: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    raw = await rawHostile();
  });
  afterAll(async () => {
    await raw.close();
  });

  const cases = [
    { name: 'trickles headers that never end', path: '/slow-headers', cls: ['timeout', 'protocol'] },
    { name: 'trickles a body forever', path: '/drip-body', cls: ['timeout'] },
    { name: 'sends a 1 MB header', path: '/huge-header', cls: ['protocol'] },
    { name: 'redirects to itself', path: '/loop', cls: ['protocol'] },
  ] as const;
  for (const c of cases) {
    it(`a target that ${c.name}: failed as ${c.cls.join(' or ')} within the timeout, descriptors back`, async () => {
      const { dir, file } = await scenarioFile(`
name: bends-http
target: ${raw.url}
http: { timeout: 600ms, maxRedirects: 5 }
load: { vus: 3, iterations: 6 }
journeys:
  - name: j
    steps: [{ name: bent, get: ${c.path} }]
`);
      const fds = openFds();
      const out = join(dir, 'report.json');
      const t = Date.now();
      const r = await runCli(['run', file, '--quiet', '--out', out], { cwd: dir });
      const took = Date.now() - t;
      const report = JSON.parse(await readFile(out, 'utf8')) as Report;
      // No thresholds: every journey failing is past maxFailures, answered or not.
      expect(r.code, r.stderr).toBe(1);
      expect(report.warnings.join('\n')).toMatch(/6 of 6 journey iterations failed .*6 of 6 requests failed/s);
      const classes = errorsByClass(report);
      expect(Object.values(classes).reduce((a, b) => a + b, 0), JSON.stringify(classes)).toBe(6);
      for (const k of Object.keys(classes)) expect(c.cls as readonly string[]).toContain(k);
      expect(report.journeys?.[0]).toMatchObject({ failed: 6, completed: 0 });
      // Two rounds of three VUs, each bounded by the 600 ms timeout (plus slack for a shared machine).
      expect(took).toBeLessThan(2 * 600 + 3000);
      expect(await eventually(() => openFds() <= fds + 4, 3000), `fds ${fds} → ${openFds()}`).toBe(true);
    });
  }
});
