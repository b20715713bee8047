/**
 * Real signals to a real `rampart` process: an aborted run's report is written before a slow
 * teardown and again after it, a second signal during teardown leaves at once and keeps it, and a
 * command started through a wrapper that does not pass signals on (npx: npm exec → sh → node)
 * stops when the wrapper is gone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { scenarioFile, validateReport } from '../support/run-helpers.js';
import { alive, childPids, cliCommand, cliEnv, readReport, requestTotals, spawnCli, until } from '../support/processes.js';

let server: Server;
let url = '';
const hits = new Map<string, number>();
beforeAll(async () => {
  // /work answers in 10 ms; /teardown after ?ms= (the teardown a test wants slow).
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
    const timer = setTimeout(() => res.end('{"ok":true}'), u.pathname === '/teardown' ? Number(u.searchParams.get('ms') ?? '0') : 10);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => hits.clear());
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const scenario = (teardownMs: number): string => `
name: slow-teardown
target: ${url}
load: { phases: [{ name: long, duration: 60s, rate: 30 }] }
journeys:
  - name: j
    steps: [{ name: work, get: /work }]
teardown:
  - { name: bye, get: "/teardown?ms=${teardownMs}", timeout: 20s }
`;

const linux = process.platform === 'linux';

describe.runIf(linux)('an aborted run with a slow teardown (real process, real signals)', () => {
  it('SIGINT: the aborted report is written before the teardown, and again after it', async () => {
    const { dir, file } = await scenarioFile(scenario(2500));
    const out = join(dir, 'report.json');
    const p = spawnCli(['run', file, '--out', out, '--quiet'], {});
    expect(await until(() => (hits.get('/work') ?? 0) > 20, 15_000), p.stderr()).toBe(true);
    const teardownsBefore = hits.get('/teardown') ?? 0;
    const sentAt = Date.now();
    p.child.kill('SIGINT');
    // Before the teardown's 2.5 s are over: the report is there, aborted, and adds up.
    expect(await until(() => readReport(out) !== undefined, 1500), p.stderr()).toBe(true);
    expect(Date.now() - sentAt).toBeLessThan(1500);
    const before = readReport(out);
    expect(before).toMatchObject({ verdict: 'aborted', exitCode: 130 });
    expect(before?.abortReason).toContain('SIGINT');
    expect(validateReport(before)).toEqual([]);
    const t = requestTotals(before as NonNullable<typeof before>);
    expect(t.summary).toBeGreaterThan(20);
    expect(t.timeline).toBe(t.summary);
    expect(before?.journeys?.map((j) => j.name)).toEqual(['j']);

    const { code } = await p.exited;
    expect(code).toBe(130);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(2500);
    expect(hits.get('/teardown')).toBe(teardownsBefore + 1);
    expect(p.stderr()).toContain('SIGINT: stopping the load and writing the report');
    // Rewritten after the teardown: its request is in, and the totals still agree.
    const after = readReport(out);
    expect(after).toMatchObject({ verdict: 'aborted', exitCode: 130 });
    const a = requestTotals(after as NonNullable<typeof after>);
    expect(a.summary).toBe(t.summary + 1);
    expect(a.timeline).toBe(a.summary);
    expect(after?.series.some((s) => s.metric === 'http.requests' && s.tags.phase === 'teardown')).toBe(true);
  }, 30_000);

  it('SIGTERM, then SIGTERM during the teardown: leaves at once, the report written before teardown stays', async () => {
    const { dir, file } = await scenarioFile(scenario(15_000));
    const out = join(dir, 'report.json');
    const p = spawnCli(['run', file, '--out', out, '--quiet'], {});
    expect(await until(() => (hits.get('/work') ?? 0) > 20, 15_000), p.stderr()).toBe(true);
    const teardowns = hits.get('/teardown') ?? 0;
    p.child.kill('SIGTERM');
    expect(await until(() => readReport(out) !== undefined, 1500), p.stderr()).toBe(true);
    // The teardown request is in flight (it would take 15 s).
    expect(await until(() => (hits.get('/teardown') ?? 0) > teardowns, 2000)).toBe(true);
    const secondAt = Date.now();
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    expect(Date.now() - secondAt).toBeLessThan(1000);
    expect(code).toBe(143);
    const report = readReport(out);
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 143 });
    expect(validateReport(report)).toEqual([]);
    const t = requestTotals(report as NonNullable<typeof report>);
    expect(t.summary).toBeGreaterThan(20);
    expect(t.timeline).toBe(t.summary);
  }, 30_000);
});

describe.runIf(linux)('a signal during the teardown of a run that ended (real process)', () => {
  it('SIGTERM writes the aborted report at once; a second one leaves and the report stays', async () => {
    const { dir, file } = await scenarioFile(scenario(15_000).replace('duration: 60s', 'duration: 1s'));
    const out = join(dir, 'report.json');
    const p = spawnCli(['run', file, '--out', out, '--quiet']);
    expect(await until(() => (hits.get('/teardown') ?? 0) > 0, 15_000), p.stderr()).toBe(true);
    expect(readReport(out)).toBeUndefined();
    const sentAt = Date.now();
    p.child.kill('SIGTERM');
    expect(await until(() => readReport(out) !== undefined, 1500), p.stderr()).toBe(true);
    expect(Date.now() - sentAt).toBeLessThan(1500);
    expect(readReport(out)).toMatchObject({ verdict: 'aborted', exitCode: 143 });
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(143);
    expect(Date.now() - sentAt).toBeLessThan(3000);
    const report = readReport(out);
    const t = requestTotals(report as NonNullable<typeof report>);
    expect(t.summary).toBeGreaterThan(15);
    expect(t.timeline).toBe(t.summary);
  }, 30_000);
});

describe.runIf(linux)('started through a wrapper that does not pass signals on (like npx: npm exec → sh → node)', () => {
  /** `sh -c '<rampart …>; true'`: sh waits for node (no exec) and, killed, passes nothing on — npx's case. */
  const viaShell = (args: readonly string[]): string[] => ['sh', '-c', `${cliCommand(args).map((a) => `'${a}'`).join(' ')}; true`];
  /** What npm exec sets for the command it runs (the watch is for processes started by npm). */
  const npx = { npm_command: 'exec', npm_lifecycle_event: 'npx' };

  it('rampart run: the wrapper killed by SIGTERM, the run stops, writes its aborted report and exits', async () => {
    const { dir, file } = await scenarioFile(scenario(0));
    const out = join(dir, 'report.json');
    const sh = spawnCli([], { env: cliEnv(npx), command: viaShell(['run', file, '--out', out, '--quiet']) });
    expect(await until(() => (hits.get('/work') ?? 0) > 10, 15_000), sh.stderr()).toBe(true);
    const node = await findChild(sh.pid);
    sh.child.kill('SIGTERM');
    await sh.exited;
    const goneAt = Date.now();
    expect(await until(() => !alive(node), 5000)).toBe(true);
    expect(Date.now() - goneAt).toBeLessThan(3000);
    const report = readReport(out);
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 143 });
    const t = requestTotals(report as NonNullable<typeof report>);
    expect(t.timeline).toBe(t.summary);
    // Its last words went to the wrapper's (closed) stderr; the load stopped at the target.
    const sent = hits.get('/work') ?? 0;
    await new Promise((r) => setTimeout(r, 500));
    expect(hits.get('/work') ?? 0).toBe(sent);
  }, 30_000);

  it('rampart mocks: the wrapper killed by SIGTERM, the server stops and its port closes', async () => {
    const env = cliEnv({ ...npx, REDIS_URL: inject('redisUrl'), KAFKA_BROKERS: inject('kafkaBrokers') });
    const sh = spawnCli([], { env, command: viaShell(['mocks', '--port', '0']) });
    expect(await until(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(sh.stdout()), 20_000), sh.stderr()).toBe(true);
    const node = await findChild(sh.pid);
    const mocksUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sh.stdout())?.[1] as string;
    expect((await fetch(`${mocksUrl}/health/live`)).status).toBe(200);
    sh.child.kill('SIGTERM');
    await sh.exited;
    expect(await until(() => !alive(node), 5000)).toBe(true);
    await expect(fetch(`${mocksUrl}/health/live`)).rejects.toThrow();
  }, 30_000);
});

describe.runIf(linux)('started directly, in the background of a shell that then exits', () => {
  it('rampart mocks keeps serving (a background server outlives its shell); SIGTERM still stops it', async () => {
    const env = cliEnv({ REDIS_URL: inject('redisUrl'), KAFKA_BROKERS: inject('kafkaBrokers') });
    const sh = spawnCli([], { env, command: ['sh', '-c', `${cliCommand(['mocks', '--port', '0']).map((a) => `'${a}'`).join(' ')}; true`] });
    expect(await until(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(sh.stdout()), 20_000), sh.stderr()).toBe(true);
    const node = await findChild(sh.pid);
    const mocksUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sh.stdout())?.[1] as string;
    sh.child.kill('SIGKILL');
    await sh.exited;
    await new Promise((r) => setTimeout(r, 1500));
    try {
      expect(alive(node)).toBe(true);
      expect((await fetch(`${mocksUrl}/health/live`)).status).toBe(200);
    } finally {
      process.kill(node, 'SIGTERM');
    }
    expect(await until(() => !alive(node), 5000)).toBe(true);
  }, 30_000);
});

/** The one child of `pid` (the node process a shell started). */
async function findChild(pid: number): Promise<number> {
  let kids: number[] = [];
  await until(() => (kids = childPids(pid)).length === 1, 5000);
  expect(kids).toHaveLength(1);
  return kids[0] as number;
}
