/**
 * WebSocket metrics through every consumer: merged exactly across processes, judged by thresholds
 * and the failure bounds, in the timeline and the live line, and as step rows in every format.
 */
import { describe, expect, it } from 'vitest';
import { encodeSnapshot, decodeSnapshot, mergeSnapshots } from '../../../src/metrics/index.js';
import type { MetricsSnapshot } from '../../../src/metrics/types.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import { timelinePoint } from '../../../src/engine/timeline.js';
import { buildReport } from '../../../src/report/build-report.js';
import { renderSummary } from '../../../src/report/console-summary.js';
import { renderHtml } from '../../../src/report/html/render.js';
import { renderJunit } from '../../../src/report/junit.js';
import { progressLine } from '../../../src/report/live-output.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { metricFamilies } from '../../../src/report/prometheus-families.js';
import { evaluateThreshold } from '../../../src/thresholds/evaluate.js';
import { judgeFailures } from '../../../src/thresholds/judge/failure-bounds.js';
import type { Plan, WsStep } from '../../../src/scenario/plan.js';
import { plan as basePlan } from '../engine/fixtures.js';
import { plan as threshold, snapshotOf } from '../thresholds/helpers.js';
import { validateReport } from '../../support/report-schema.js';

const POS = { file: 'x', line: 1, col: 1 };
const wsStep = (name: string): WsStep => ({ kind: 'ws', name, timeoutMs: 1000, captures: [], close: false, tags: {}, pos: POS });
const base = { journey: 'watch', phase: 'steady' };

/**
 * One process's share: `ok` handshakes and matched messages (1..ok ms), `timeouts` failed waits;
 * each step run is one ws.errors sample, as the ws steps record them.
 */
function shard(ok: number, timeouts: number, offsetMs: number): MetricsSnapshot {
  return snapshotOf((r) => {
    for (let i = 1; i <= ok; i++) {
      r.trend(METRIC.wsConnect, { ...base, step: 'open' }, 'us').record(500);
      r.rate(METRIC.wsErrors, { ...base, step: 'open' }).add(false);
      r.trend(METRIC.wsMessage, { ...base, step: 'done' }, 'us').record((offsetMs + i) * 1000);
      r.rate(METRIC.wsErrors, { ...base, step: 'done' }).add(false);
    }
    for (let i = 0; i < timeouts; i++) r.rate(METRIC.wsErrors, { ...base, step: 'done', error: 'timeout' }).add(true);
  });
}

function wsPlan(): Plan {
  return basePlan(
    { model: 'open', phases: [{ name: 'steady', durationMs: 10_000, rate: 5, pause: false, onStart: [], onEnd: [] }], maxVus: 10, spacing: 'uniform' },
    { journeys: [{ name: 'watch', weight: 1, tags: {}, steps: [wsStep('open'), wsStep('done')] }] },
  );
}

describe('ws metrics', () => {
  // Two workers' snapshots, through the wire encoding, merged.
  const merged = mergeSnapshots(decodeSnapshot(encodeSnapshot(shard(100, 0, 0))), decodeSnapshot(encodeSnapshot(shard(100, 4, 100))));

  it('merge exactly across processes: counts, errors by class, and percentiles over both', () => {
    const p95 = evaluateThreshold(threshold('ws.message{step:done}', 'ws.message', { step: 'done' }, { fn: 'p', percentile: 95 }, '<', 150), merged);
    expect(p95.observed).toBeGreaterThan(188);
    expect(p95.observed).toBeLessThan(192);
    expect(p95.passed).toBe(false);
    expect(evaluateThreshold(threshold('ws.message', 'ws.message', {}, { fn: 'count' }, '==', 200), merged).passed).toBe(true);
    expect(evaluateThreshold(threshold('ws.errors{error:timeout}', 'ws.errors', { error: 'timeout' }, { fn: 'count' }, '==', 4), merged).passed).toBe(true);
    // A rate over every step run: 4 failed of 404, whichever process ran them.
    expect(evaluateThreshold(threshold('ws.errors', 'ws.errors', {}, { fn: 'rate' }, '<', 0.01), merged)).toMatchObject({ passed: true, observed: 4 / 404 });
    expect(evaluateThreshold(threshold('ws.errors', 'ws.errors', {}, { fn: 'rate' }, '==', 0), shard(10, 0, 0))).toMatchObject({ passed: true, observed: 0 });
    expect(evaluateThreshold(threshold('ws.errors', 'ws.errors', {}, { fn: 'rate' }, '==', 0), merged).passed).toBe(false);
  });

  it('count in the verdict like HTTP failures: past maxFailures.errors the run fails, unless a threshold judges ws.errors', () => {
    const bad = mergeSnapshots(shard(10, 5, 0), shard(0, 5, 0));
    const j = judgeFailures({ target: 't', thresholds: [] }, bad);
    expect(j.failed).toBe(true);
    expect(j.warnings).toEqual([expect.stringMatching(/^10 of 30 ws operations failed \(timeout 10; 33\.3%\).*ws\.errors: \["rate <= 33\.4%"\]/)]);
    expect(judgeFailures({ target: 't', thresholds: [threshold('ws.errors', 'ws.errors', {}, { fn: 'rate' }, '<=', 0.34)] }, bad).failed).toBe(false);
    expect(judgeFailures({ target: 't', thresholds: [] }, merged).failed).toBe(false);
  });

  it('are in the timeline point and the live line', () => {
    const point = timelinePoint(merged, 1, 'steady', 3);
    expect(point.ws).toEqual({ messages: 200, p95: expect.closeTo(190, 0) as number, errors: 4 });
    expect(point.errorsByClass).toEqual({ timeout: 4 });
    const line = progressLine({ offsetMs: 1000, phase: 'steady', interval: merged, cumulative: merged, point, thresholds: [] }, undefined);
    expect(line).toBe('[steady] 1s | 0/s req | VUs 3 | p95 0µs | errors 0% | ws 40.4/s p95 190ms errors 0.99%');
  });

  it('give ws steps their rows in the JSON report and every rendered format', () => {
    const report = buildReport({
      plan: wsPlan(), version: '0', runId: 'r', startedAt: 0, endedAt: 10_000, verdict: 'failed', exitCode: 1, cumulative: merged,
      thresholds: [{ key: 'ws.message{step:done}', metric: 'ws.message', filter: { step: 'done' }, expression: 'p(95) < 150ms', passed: false, observed: 190, abortOnFail: false }], phases: [], timeline: [timelinePoint(merged, 1, 'steady', 3)],
      generator: { lateArrivals: 0, droppedArrivals: 0, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 1, overloaded: false }, warnings: [],
      environment: { node: 'v20', platform: 'linux-x64', host: 'h', cpus: 2 },
    });
    expect(validateReport(JSON.parse(JSON.stringify(report)))).toEqual([]);
    const [open, done] = report.journeys?.[0]?.steps ?? [];
    expect(open).toMatchObject({ name: 'open', requests: 200, errorRate: 0, p50: 0.5 });
    expect(done).toMatchObject({ name: 'done', requests: 204, errorRate: 4 / 204 });
    expect(renderSummary(report)).toMatch(/done\s+204\s+20\.4\/s\s+1\.96%/);
    expect(renderMarkdown(report)).toMatch(/\| done \| 204 \|/);
    expect(renderHtml(report)).toContain('>done<');
    expect(renderJunit(report)).toContain('p(95) &lt; 150ms failed: observed 190ms on ws.message{step:done}');
    const fams = [...metricFamilies(merged, undefined).keys()];
    expect(fams).toEqual(expect.arrayContaining(['rampart_ws_message_seconds', 'rampart_ws_connect_seconds', 'rampart_ws_errors_true_total', 'rampart_ws_errors_samples_total']));
  });
});
