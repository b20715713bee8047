import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonOutput } from '../../../src/report/json-output.js';
import { liveOutput, phaseText } from '../../../src/report/live-output.js';
import { summaryOutput } from '../../../src/report/console-summary.js';
import { createRedactor, REDACTED } from '../../../src/report/redact.js';
import type { IntervalUpdate, Report } from '../../../src/report/model.js';

const report = (over: Partial<Report> = {}): Report => ({
  schemaVersion: 1,
  rampart: { version: '0.1.0' },
  runId: 'r',
  scenario: { name: 'n', file: 'f', hash: 'h', target: 'http://x', model: 'open', text: 'headers:\n  authorization: Bearer pw-123\n' },
  verdict: 'passed',
  exitCode: 0,
  startedAt: new Date(0).toISOString(),
  endedAt: new Date(1000).toISOString(),
  durationMs: 1000,
  environment: { node: 'v20', platform: 'linux', host: 'h', cpus: 2 },
  phases: [],
  thresholds: [],
  series: [],
  timeline: [],
  generator: { lateArrivals: 0, droppedArrivals: 0, eventLoopLagP99Ms: 0, eventLoopLagMaxMs: 0, overloaded: false },
  warnings: ['GET http://x/?key=pw-123 failed'],
  ...over,
});

const update = (offsetMs: number): IntervalUpdate => ({
  offsetMs,
  phase: 'steady',
  interval: { startMs: 0, endMs: 1000, series: [] },
  cumulative: { startMs: 0, endMs: 1000, series: [] },
  point: { t: offsetMs / 1000, phase: 'steady', requests: 10, errors: 0, p50: 1, p95: 2, p99: 3, vus: 2, started: 10, dropped: 0 },
  thresholds: [],
  targetVus: 4,
});

describe('outputs', () => {
  const redactor = createRedactor(['pw-123']);

  it('json output writes the redacted report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-json-'));
    const path = join(dir, 'r.json');
    await jsonOutput(path, redactor).end?.(report());
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('pw-123');
    const parsed = JSON.parse(text) as Report;
    expect(parsed.warnings[0]).toBe(`GET http://x/?key=${REDACTED} failed`);
    expect(parsed.scenario.text).toContain(`authorization: ${REDACTED}`);
  });

  it('summary output prints redacted text', () => {
    let out = '';
    summaryOutput((s) => (out += s), redactor).end?.(report());
    expect(out).toContain('verdict: PASSED');
    expect(out).not.toContain('pw-123');
  });

  it('live output rewrites one line on a TTY', () => {
    let out = '';
    const live = liveOutput((s) => (out += s), redactor, { tty: true, columns: 200 });
    live.start?.({ runId: 'r', scenarioName: 'n', target: 'http://x', startedAt: 0, plannedDurationMs: 10_000, phases: [{ name: 'steady', durationMs: 10_000 }] });
    live.interval?.(update(1000));
    live.interval?.(update(2000));
    live.end?.(report());
    expect(out.split('\r\x1b[2K').length).toBe(4);
    expect(out).toContain('VUs 2 of 4');
    expect(out).not.toMatch(/\n\[steady\]/);
  });

  it('live output announces an iteration-bound run by its iterations and cap, and counts down nothing', () => {
    let out = '';
    const live = liveOutput((s) => (out += s), redactor, { tty: false, everyMs: 1000 });
    live.start?.({ runId: 'r', scenarioName: 'n', target: 'http://x', startedAt: 0, phases: [{ name: 'stage-1', durationMs: 600_000, iterations: { shared: 10, vus: 2 } }] });
    live.interval?.(update(1000));
    expect(out.split('\n')[0]).toBe('running n against http://x (stage-1: 10 iterations shared by 2 VUs, max 10m00s)');
    expect(out).not.toContain('left');
    expect(phaseText({ name: 's', durationMs: 30_000, iterations: { perVu: 1, vus: 1 } })).toBe('s: 1 iteration per VU (1 VU), max 30s');
    expect(phaseText({ name: 's', durationMs: 60_000, iterations: { shared: 5, perVu: 3, vus: 2 } })).toBe('s: 5 iterations shared by 2 VUs, at most 3 per VU, max 1m00s');
    expect(phaseText({ name: 'steady', durationMs: 120_000 })).toBe('steady 2m00s');
  });

  it('live output prints plain periodic lines without a TTY', () => {
    let out = '';
    const live = liveOutput((s) => (out += s), redactor, { tty: false, everyMs: 5000 });
    for (let t = 1000; t <= 12_000; t += 1000) live.interval?.(update(t));
    expect(out).not.toContain('\x1b');
    expect(out.trim().split('\n')).toHaveLength(3); // at 1 s, 6 s, 11 s
  });
});

describe('the report before teardown (provisional)', () => {
  it('report files write it and end rewrites them; an output failing there only warns', async () => {
    const { OutputFanout } = await import('../../../src/engine/outputs.js');
    const dir = await mkdtemp(join(tmpdir(), 'rampart-prov-'));
    const path = join(dir, 'r.json');
    const warnings: string[] = [];
    const failing = { name: 'broken', provisional: (): void => { throw new Error('disk full'); } };
    const printed: string[] = [];
    const fan = new OutputFanout([jsonOutput(path, createRedactor([])), failing, summaryOutput((s) => void printed.push(s), createRedactor([]), { color: false })], (m) => warnings.push(m));
    await fan.provisional(report({ verdict: 'aborted', exitCode: 143, durationMs: 500 }));
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ verdict: 'aborted', durationMs: 500 });
    // The summary is printed once, at the end.
    expect(printed).toEqual([]);
    expect(warnings).toEqual(['output broken: disk full']);
    expect(fan.errors).toEqual([]);
    await fan.end(report({ verdict: 'aborted', exitCode: 143, durationMs: 900 }));
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ durationMs: 900 });
    expect(printed.join('')).toContain('ABORTED');
  });
});
