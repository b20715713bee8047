/**
 * SIGINT/SIGTERM mid-run (emitted on the io.signals emitter given to main): the load stops within a
 * second — measured at the target —, a partial report marked aborted is written atomically in every
 * format asked for (a reader polling the path only ever sees a whole document, the previous one or
 * the new one), exit 130/143, and nothing is left behind.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { scenarioFile, startCli, validateReport } from '../support/run-helpers.js';
import { eventually, expectNoStack, strayFiles } from './support.js';

/** Request arrival times per path, for "when did the load stop". */
let server: Server;
let url = '';
const arrivals: { path: string; at: number }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.push({ path: req.url ?? '', at: Date.now() });
    const slow = req.url?.startsWith('/slow') === true;
    const timer = setTimeout(() => res.end('{"ok":true}'), slow ? 10_000 : 20);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const scenario = (load: string): string => `
name: abort-me
target: ${url}
load: ${load}
journeys:
  - name: j
    steps:
      - { name: work, get: /work }
      - think: 50ms
      - { name: more, get: /more }
teardown:
  - { name: bye, get: /teardown }
`;

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Polls `path` every 2 ms while `until` is pending; every read must be whole (by default: parse as JSON). */
function watchWhole(path: string, until: Promise<unknown>, whole: (text: string) => boolean = isJson): Promise<{ reads: number; partial: string[] }> {
  let done = false;
  void until.finally(() => (done = true));
  const partial: string[] = [];
  let reads = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      let text: string | undefined;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        reads++;
        if (!whole(text)) partial.push(text.slice(-80));
      }
      if (done) resolve({ reads, partial });
      else setTimeout(tick, 2);
    };
    tick();
  });
}

for (const [signal, code, load] of [
  ['SIGINT', 130, '{ phases: [{ name: long, duration: 60s, rate: 50 }] }'],
  ['SIGTERM', 143, '{ vus: 20, duration: 60s }'],
] as const) {
  describe(`${signal} mid-run`, () => {
    it(`stops the load within a second, writes an aborted report atomically, exits ${code}`, async () => {
      const { dir, file } = await scenarioFile(scenario(load));
      const out = join(dir, 'report.json');
      const others = { junit: join(dir, 'report.xml'), html: join(dir, 'report.html'), md: join(dir, 'report.md') };
      // A previous run's report at the same path: it is replaced whole, never truncated first.
      await writeFile(out, JSON.stringify({ previous: true, pad: 'x'.repeat(200_000) }));
      const run = startCli(['run', file, '--out', out, '--report', `junit=${others.junit},html=${others.html},md=${others.md}`], { cwd: dir });
      const watcher = watchWhole(out, run.done);
      const htmlWatcher = watchWhole(others.html, run.done, (t) => t.trimEnd().endsWith('</html>'));
      expect(await eventually(() => arrivals.filter((a) => a.path === '/work').length > 30, 5000)).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      const sentAt = Date.now();
      run.signals.emit(signal);
      const exit = await run.done;
      const tookMs = Date.now() - sentAt;
      expect(exit, run.stderr()).toBe(code);
      // Journeys are cut: no load request reaches the target a second after the signal.
      const lastLoad = Math.max(...arrivals.filter((a) => a.path !== '/teardown').map((a) => a.at));
      expect(lastLoad - sentAt).toBeLessThan(1000);
      expect(arrivals.filter((a) => a.path === '/teardown' && a.at >= sentAt)).toHaveLength(1);
      expect(tookMs).toBeLessThan(5000);

      const w = await watcher;
      expect(w.partial).toEqual([]);
      expect(w.reads).toBeGreaterThan(10);
      expect((await htmlWatcher).partial).toEqual([]);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
      expect(validateReport(report)).toEqual([]);
      expect(report).toMatchObject({ verdict: 'aborted', exitCode: code });
      expect(report.abortReason).toContain(signal);
      expect(report.durationMs).toBeLessThan(20_000);
      expect(report.journeys?.[0]?.started ?? 0).toBeGreaterThan(0);
      // Every format asked for is written, and says aborted.
      expect(readFileSync(others.junit, 'utf8')).toMatch(/^<\?xml[\s\S]*<\/testsuites>\s*$/);
      expect(readFileSync(others.junit, 'utf8')).toMatch(/abort/i);
      expect(readFileSync(others.html, 'utf8')).toMatch(/aborted/i);
      expect(readFileSync(others.md, 'utf8')).toMatch(/aborted/i);
      expect(strayFiles(dir, ['scenario.yaml', 'report.json', 'report.xml', 'report.html', 'report.md'])).toEqual([]);
      expect(run.stdout()).toContain('ABORTED');
      expect(run.stderr()).toContain(signal);
      expectNoStack(run.stdout() + run.stderr());
      arrivals.length = 0;
    });
  });
}

describe('a signal outside the load', () => {
  it('SIGINT during a slow setup: the setup request is cut, no load is sent, exit 130 promptly', async () => {
    const { dir, file } = await scenarioFile(`
name: slow-setup
target: ${url}
setup:
  - { name: slow, get: /slow-setup, timeout: 30s }
load: { phases: [{ duration: 10s, rate: 20 }] }
journeys:
  - name: j
    steps: [{ name: work, get: /work }]
`);
    const out = join(dir, 'report.json');
    const run = startCli(['run', file, '--quiet', '--out', out], { cwd: dir });
    expect(await eventually(() => arrivals.some((a) => a.path === '/slow-setup'), 5000)).toBe(true);
    const sentAt = Date.now();
    run.signals.emit('SIGINT');
    expect(await run.done, run.stderr()).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(3000);
    expect(arrivals.filter((a) => a.path === '/work')).toEqual([]);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 130 });
    arrivals.length = 0;
  });

  it('SIGTERM during the graceful stop: running journeys are cut at once, exit 143', async () => {
    const { dir, file } = await scenarioFile(`
name: long-think
target: ${url}
gracefulStop: 60s
load: { phases: [{ duration: 1s, rate: 10 }] }
journeys:
  - name: j
    steps:
      - { name: work, get: /work }
      - think: 30s
      - { name: after, get: /after }
`);
    const out = join(dir, 'report.json');
    const run = startCli(['run', file, '--quiet', '--out', out], { cwd: dir });
    // The phase is over after 1 s; journeys are thinking: the graceful stop would last 30 s.
    await new Promise((r) => setTimeout(r, 2000));
    const sentAt = Date.now();
    run.signals.emit('SIGTERM');
    expect(await run.done, run.stderr()).toBe(143);
    expect(Date.now() - sentAt).toBeLessThan(3000);
    expect(arrivals.filter((a) => a.path === '/after')).toEqual([]);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 143 });
    expect(report.journeys?.[0]?.interrupted).toBe(10);
    arrivals.length = 0;
  });
});
