/**
 * The warm-up before the load (src/engine/warm-up.ts): it opens the target's connections without a
 * request, sends nothing else to the target, warms the code against its own server, and says so in
 * the report; `warmUp: false` starts cold.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { SETTLE_MAX_MS } from '../../src/engine/warm-up.js';
import type { OwnProcess } from '../../src/engine/own-process.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';

let server: Server;
let url = '';
let requests = 0;
let connections = 0;
/** Requests that arrived on a connection opened before the target's first request. */
let onEarlyConnections = 0;
let firstRequestAt = 0;
const early = new WeakSet<object>();

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    if (firstRequestAt === 0) firstRequestAt = performance.now();
    if (early.has(req.socket)) onEarlyConnections++;
    res.end('ok');
  });
  server.on('connection', (socket) => {
    connections++;
    if (firstRequestAt === 0) early.add(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const reset = (): void => {
  requests = connections = onEarlyConnections = firstRequestAt = 0;
};

const scenario = (extra: string): string => `
name: warm-up
target: http://127.0.0.1:1
http: { connections: 8 }
${extra}
load: { vus: 2, iterations: 20, maxDuration: 20s }
journeys:
  - name: j
    steps:
      - { name: get, get: /, expect: { status: 200 } }
`;

describe('the warm-up before the load', () => {
  it('opens the shared connections ahead of the load, sends the target only the planned requests, and reports it', async () => {
    reset();
    const { dir, file } = await scenarioFile(scenario(''));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--target', url, '--out', out], { cwd: dir, env: {} });
    expect(r.code, r.stderr).toBe(0);
    // Nothing but the 20 planned requests reached the target.
    expect(requests).toBe(20);
    // The connections it can use (2 VUs: 2 of the 8) were opened ahead, and the load used them.
    expect(connections).toBe(2);
    expect(onEarlyConnections).toBe(20);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    validateReport(report);
    const w = report.generator.warmUp;
    expect(w).toBeDefined();
    expect(w?.connectionsOpened).toBe(2);
    expect(w?.connectionsFailed).toBe(0);
    expect(w?.internalRequests).toBeGreaterThanOrEqual(400);
    expect(w?.durationMs).toBeGreaterThan(0);
    // No connect time belongs to a request: every one used a connection opened ahead.
    expect(report.series.filter((s) => s.metric === 'http.connect').reduce((n, s) => n + s.count, 0)).toBe(0);
    expect(report.generator.gc).toMatchObject({ count: expect.any(Number), maxMs: expect.any(Number), totalMs: expect.any(Number) });
    expect(r.stdout).toMatch(/warm-up \d+(\.\d+)?m?s: 2 connections opened, [\d,]+ requests to its own 127\.0\.0\.1 server, not to the target/);
  });

  it('starts cold with warmUp: false', async () => {
    reset();
    const { dir, file } = await scenarioFile(scenario('warmUp: false'));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--target', url, '--out', out, '--quiet'], { cwd: dir, env: {} });
    expect(r.code, r.stderr).toBe(0);
    expect(requests).toBe(20);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.generator.warmUp).toBeUndefined();
    expect(report.series.filter((s) => s.metric === 'http.connect').reduce((n, s) => n + s.count, 0)).toBeGreaterThan(0);
  });

  it('a target that refuses connections is counted, and the run fails as it would cold', async () => {
    const { dir, file } = await scenarioFile(scenario(''));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--target', 'http://127.0.0.1:1', '--out', out, '--quiet'], { cwd: dir, env: {} });
    expect(r.code).toBe(1);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.generator.warmUp).toMatchObject({ connectionsOpened: 0 });
    expect(report.generator.warmUp?.connectionsFailed).toBeGreaterThanOrEqual(1);
  });
});

describe('the process a CLI run owns: its helper threads and its garbage', () => {
  const openScenario = (extra: string): string => `
name: warm-up-open
target: http://127.0.0.1:1
http: { connections: 4 }
${extra}
load:
  phases: [{ name: steady, duration: 500ms, rate: 40 }]
  maxVus: 20
journeys:
  - name: j
    steps:
      - { name: get, get: /, expect: { status: 200 } }
`;
  /** A stand-in for the process that notes each call in order, with how many requests the target had seen then. */
  const seam = (oneCpu = true): OwnProcess & { readonly calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      lowerHelperThreads: () => (calls.push(`lower@${requests}`), 6),
      idleHelperThreads: async () => (calls.push(`idle-policy@${requests}`), 4),
      collectGarbage: async () => (calls.push(`gc@${requests}`), 12.34),
      collectKeepingCode: () => (calls.push(`gc-keeping-code@${requests}`), 3.21),
      helpersIdle: async (maxMs) => (calls.push(`idle(${maxMs})@${requests}`), 7.5),
      markOnEventLoop: () => (calls.push(`mark@${requests}`), oneCpu),
    };
  };

  it('an open-model load collects the warm-up\'s garbage, waits for the helper threads, then lowers them and (one CPU) moves GC marking to the event loop, once each and before its first request, and says so', async () => {
    reset();
    const own = seam();
    const { dir, file } = await scenarioFile(openScenario(''));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--target', url, '--out', out], { cwd: dir, env: {}, ownProcess: own });
    expect(r.code, r.stderr).toBe(0);
    expect(own.calls).toEqual(['gc@0', 'gc-keeping-code@0', `idle(${SETTLE_MAX_MS})@0`, 'lower@0', 'idle-policy@0', 'mark@0']);
    expect(requests).toBe(20);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    validateReport(report);
    expect(report.generator.warmUp?.helperThreadsLowered).toBe(6);
    expect(report.generator.warmUp?.helperThreadsIdle).toBe(4);
    expect(report.generator.warmUp?.gcMs).toBe(12.3);
    expect(report.generator.warmUp?.gcAfterMs).toBe(3.2);
    expect(report.generator.warmUp?.settleMs).toBe(7.5);
    expect(report.generator.warmUp?.gcMarkingOnEventLoop).toBe(true);
    // The collections and the wait count in the warm-up's duration.
    expect(report.generator.warmUp?.durationMs).toBeGreaterThanOrEqual(23);
    expect(r.stdout).toMatch(
      /requests to its own 127\.0\.0\.1 server, not to the target, its garbage collected \(12\.3 ?ms, 3\.2 ?ms after it\), 7\.5 ?ms for the compiler and GC threads to finish, 6 helper threads set to yield to the event loop \(4 with the idle scheduling policy\), GC marking moved to the event loop's thread \(one CPU\)/,
    );
  });

  it('a closed-model load collects the garbage and waits for the threads but leaves their priority; with more than one CPU the marking stays; warmUp: false does none of it', async () => {
    for (const [text, warm] of [[scenario(''), true], [openScenario('warmUp: false'), false]] as const) {
      reset();
      const own = seam(false);
      const { dir, file } = await scenarioFile(text);
      const out = join(dir, 'report.json');
      const r = await runCli(['run', file, '--target', url, '--out', out, '--quiet'], { cwd: dir, env: {}, ownProcess: own });
      expect(r.code, r.stderr).toBe(0);
      expect(own.calls).toEqual(warm ? ['gc@0', 'gc-keeping-code@0', `idle(${SETTLE_MAX_MS})@0`, 'mark@0'] : []);
      const report = JSON.parse(await readFile(out, 'utf8')) as Report;
      if (warm) expect(report.generator.warmUp).toMatchObject({ helperThreadsLowered: 0, gcMs: 12.3, gcAfterMs: 3.2, settleMs: 7.5 });
      else expect(report.generator.warmUp).toBeUndefined();
      expect(report.generator.warmUp?.helperThreadsIdle).toBeUndefined();
      expect(report.generator.warmUp?.gcMarkingOnEventLoop).toBeUndefined();
      expect(r.stdout).not.toMatch(/helper threads|GC marking/);
    }
  });

  it('a caller that passes no process of its own has neither done', async () => {
    reset();
    const { dir, file } = await scenarioFile(openScenario(''));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--target', url, '--out', out, '--quiet'], { cwd: dir, env: {} });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.generator.warmUp?.helperThreadsLowered).toBe(0);
    expect(report.generator.warmUp?.gcMs).toBeUndefined();
    expect(report.generator.warmUp?.gcAfterMs).toBeUndefined();
    expect(report.generator.warmUp?.settleMs).toBeUndefined();
    expect(r.stdout).not.toMatch(/garbage collected|threads to finish/);
  });
});

describe('the warm-up scenario', () => {
  it('runs the request path on a closed block and, beside it, open-model arrivals, dropping none', async () => {
    const { warmUpCode, WARM_UP_ITERATIONS, WARM_UP_OPEN_MS, WARM_UP_OPEN_RATE } = await import('../../src/engine/warm-up.js');
    const { createRunCollaborators } = await import('../../src/engine/wire.js');
    const { Run } = await import('../../src/engine/run.js');
    const byPhase = new Map<string, number>();
    let dropped = -1;
    const done = await warmUpCode({ vus: 16, iterations: WARM_UP_ITERATIONS, openRate: WARM_UP_OPEN_RATE }, async (plan, sink) => {
      const c = createRunCollaborators(plan, { sink, log: () => undefined, seed: 1 });
      const report = await new Run({ plan, registry: sink, createVu: c.createVu, seed: 1, intervalMs: 100 }).start();
      await c.close();
      dropped = report.generator?.droppedArrivals ?? -1;
      for (const s of sink.cumulative().series) {
        if (s.metric === 'http.requests') byPhase.set(String(s.tags['phase']), (byPhase.get(String(s.tags['phase'])) ?? 0) + s.sum);
      }
    });
    const closed = byPhase.get('closed-stage-1') ?? 0;
    const open = byPhase.get('arrivals') ?? 0;
    // Four requests per iteration; the closed block may be cut by the time bound on a slow machine.
    expect(closed).toBeGreaterThan(0);
    expect(closed).toBeLessThanOrEqual(4 * WARM_UP_ITERATIONS);
    expect(open).toBe(4 * Math.round((WARM_UP_OPEN_RATE * WARM_UP_OPEN_MS) / 1000));
    expect(dropped).toBe(0);
    expect(done.requests).toBe(closed + open);
  });

  it('collects before the code warm-up and again after it; a warm-up cut short skips the second', async () => {
    const { warmUpCode } = await import('../../src/engine/warm-up.js');
    for (const cut of [false, true]) {
      const calls: string[] = [];
      const stop = new AbortController();
      const done = await warmUpCode(
        { vus: 1, iterations: 10, openRate: 0 },
        async (plan) => {
          calls.push('run');
          // The warm-up server still answers while the journey runs.
          const res = await fetch(`${plan.target}/`);
          calls.push(`answered ${res.status}`);
          if (cut) stop.abort();
        },
        stop.signal,
        {
          before: async () => (calls.push('before'), 11),
          after: () => {
            calls.push('after');
            return 2.5;
          },
        },
      );
      expect(calls).toEqual(cut ? ['before', 'run', 'answered 200'] : ['before', 'run', 'answered 200', 'after']);
      expect(done.gcMs).toBe(11);
      expect(done.gcAfterMs).toBe(cut ? undefined : 2.5);
    }
  });
});
