/**
 * A real `rampart run` process with one CPU to run on (pinned with taskset): its warm-up turns V8's
 * concurrent marking off right after its first full collection — the one moment that flag is safe
 * to change (changed while a marking is under way, V8 crashes) — and the load that follows, with
 * enough garbage to collect, runs to its end and says so in its report and summary.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioFile, validateReport } from '../support/run-helpers.js';
import { cliCommand, commandRuns, readReport, spawnCli } from '../support/processes.js';

const hasTaskset = commandRuns('taskset', ['-p', String(process.pid)]);

const hasChrt = commandRuns('chrt', ['--version']);

let server: Server;
let url = '';
let requests = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.end(JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item-${i}` })) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe.runIf(process.platform === 'linux' && hasTaskset)('a run with one CPU (a real process pinned to one core)', () => {
  it('moves GC marking to the event loop after its first collection, collects again after the code warm-up, and runs a load that collects garbage to its end', async () => {
    const { dir, file } = await scenarioFile(`
name: one-cpu
target: ${url}
load: { phases: [{ name: steady, duration: 3s, rate: 400 }], maxVus: 200 }
journeys:
  - name: j
    steps:
      - { name: list, get: /items, capture: { first: { json: "$.items[0].name" } }, expect: { status: 200 } }
`);
    const out = join(dir, 'report.json');
    const args = ['run', file, '--out', out, '--quiet'];
    const p = spawnCli(args, { command: ['taskset', '-c', '0', ...cliCommand(args)] });
    const { code, signal } = await p.exited;
    expect(signal, p.stderr()).toBeNull();
    expect(code, p.stderr()).toBe(0);
    const report = readReport(out);
    if (report === undefined) throw new Error(`no report at ${out}: ${p.stderr()}`);
    validateReport(report);
    expect(report.verdict).toBe('passed');
    expect(report.generator.warmUp?.gcMarkingOnEventLoop).toBe(true);
    expect(report.generator.warmUp?.gcMs).toBeGreaterThan(0);
    // The collection after the code warm-up, in the real CLI.
    expect(report.generator.warmUp?.gcAfterMs).toBeGreaterThan(0);
    // An open load: the helper threads yield to the event loop, on the idle policy where chrt is at hand.
    expect(report.generator.warmUp?.helperThreadsLowered).toBeGreaterThan(0);
    if (hasChrt) expect(report.generator.warmUp?.helperThreadsIdle).toBeGreaterThan(0);
    expect(report.generator.gc?.count ?? 0).toBeGreaterThan(0);
    expect(requests).toBeGreaterThanOrEqual(1_100);
    expect(p.stdout()).toContain("GC marking moved to the event loop's thread (one CPU)");
  }, 60_000);
});
