import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, startLatencyServer, validateReport, type LatencyServer } from '../support/run-helpers.js';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer(1);
});
afterAll(async () => {
  await server.close();
});

// The open model's promise: when the target slows down, arrivals keep their schedule (the load does
// not back off as a closed loop would) and the latency histogram shows the jump.
describe('rampart run: a target whose latency jumps from 1 ms to 500 ms', () => {
  it('keeps the planned arrivals and shows the jump', async () => {
    const { dir, file } = await scenarioFile(`
name: latency-jump
target: ${server.url}
load:
  phases:
    - { name: fast, duration: 3s, rate: 40 }
    - name: slow
      duration: 3s
      rate: 40
      onStart:
        - name: slow-down
          post: /admin/latency?ms=500
journeys:
  - name: j
    steps:
      - name: work
        get: /work
        expect: { status: 200 }
gracefulStop: 3s
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    const planned = 240;
    const started = report.journeys?.[0]?.started ?? 0;
    expect(Math.abs(started - planned) / planned).toBeLessThanOrEqual(0.01);
    expect(report.generator.droppedArrivals).toBe(0);
    const lat = (phase: string) => report.series.filter((s) => s.metric === 'http.latency' && s.tags.phase === phase && s.tags.step === 'work');
    const fast = lat('fast');
    const slow = lat('slow');
    expect(fast.length).toBeGreaterThan(0);
    expect(slow.length).toBeGreaterThan(0);
    expect(Math.max(...fast.map((s) => s.p95))).toBeLessThan(100);
    expect(Math.min(...slow.map((s) => s.p50))).toBeGreaterThanOrEqual(490);
    // the timeline shows it too: p95 per second jumps
    const early = report.timeline.filter((p) => p.phase === 'fast' && p.requests > 0);
    const late = report.timeline.filter((p) => p.phase === 'slow' && p.requests > 0);
    expect(Math.max(...early.map((p) => p.p95))).toBeLessThan(100);
    expect(Math.max(...late.map((p) => p.p95))).toBeGreaterThanOrEqual(490);
  }, 20_000);
});
