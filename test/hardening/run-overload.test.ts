/**
 * An overloaded generator says so, live and in the report: arrivals dropped at a tiny maxVus, and
 * an absurd planned rate the process cannot start on time (late arrivals, event-loop lag).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

let server: TargetServer;
beforeAll(async () => {
  server = await startTargetServer();
});
afterAll(async () => {
  await server.close();
});

describe('generator overload', () => {
  it('a tiny maxVus: dropped arrivals in the live line, the summary, Report.generator and a warning', async () => {
    const { dir, file } = await scenarioFile(`
name: tiny-maxvus
target: ${server.url}
load:
  phases: [{ name: steady, duration: 2s, rate: 40 }]
  maxVus: 2
journeys:
  - name: j
    steps: [{ name: slow, get: "/slow?ms=300" }]
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    // 80 planned, at most 2 running, each 300 ms: roughly 14 started, the rest dropped.
    expect(report.generator.droppedArrivals).toBeGreaterThan(50);
    expect(report.generator.droppedArrivals + (report.journeys?.[0]?.started ?? 0)).toBe(80);
    expect(report.warnings.join('\n')).toMatch(/\d+ arrivals dropped: maxVus reached/);
    // Live (no TTY: the first interval is printed) and in the summary.
    expect(r.stderr).toMatch(/\| dropped \d+/);
    expect(r.stdout).toMatch(/dropped/i);
    expect(r.stdout).toMatch(/maxVus reached/);
    expect(r.stderr).toMatch(/warning: \d+ arrivals dropped: maxVus reached/);
  });

  it('an absurd planned rate: the report says the generator was overloaded, and why, and the run still passes', async () => {
    // An overloaded generator warns; it never fails a run by itself: the verdict judges the service.
    // The flood may make the target time out or reset some requests, as many as this machine makes
    // it, and past maxFailures' default 10 % those would fail the run (exit 1). Here the bounds are
    // off, and no threshold judges anything, so the verdict is passed and the exit code 0.
    const { dir, file } = await scenarioFile(`
name: absurd-rate
target: ${server.url}
load:
  phases: [{ name: flood, duration: 1s, rate: 100000 }]
  maxVus: 20000
maxFailures: { journeys: 100%, errors: 100% }
journeys:
  - name: j
    steps: [{ name: json, get: /json }]
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report.verdict).toBe('passed');
    const g = report.generator;
    console.log(`absurd rate: ${JSON.stringify(g)}; started ${report.journeys?.[0]?.started}`);
    expect(g.overloaded).toBe(true);
    expect(report.warnings.join('\n')).toMatch(/overloaded|dropped/);
    expect(g.droppedArrivals + g.lateArrivals).toBeGreaterThan(1000);
    // Live: the progress line shows the arrivals started and the drops; the summary says overloaded.
    expect(r.stderr).toMatch(/arrivals \d+\/s of .*\| dropped \d+/);
    // Said live, while the run goes on (before the end-of-run summary of warnings).
    expect(r.stderr).toMatch(/warning: the load generator is falling behind: \d+ of \d+ arrivals in the last second started more than 10 ms late/);
    expect(report.warnings.join('\n')).toMatch(/falling behind/);
    expect(r.stderr.indexOf('falling behind')).toBeLessThan(r.stderr.indexOf('was overloaded'));
    expect(r.stdout).toMatch(/overloaded/);
  });
});
