import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../src/metrics/index.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import { buildReport, stepNames } from '../../../src/report/build-report.js';
import { renderSummary } from '../../../src/report/console-summary.js';
import { progressLine } from '../../../src/report/live-output.js';
import type { Plan, RequestStep } from '../../../src/scenario/plan.js';
import { plan as basePlan } from '../engine/fixtures.js';
import { validateReport } from '../../support/report-schema.js';

const req = (name: string): RequestStep => ({
  kind: 'request',
  name,
  method: 'GET',
  url: { source: '/', parts: ['/'], single: false },
  query: [],
  headers: [],
  expect: [],
  checks: [],
  captures: [],
  tags: {},
  pos: { file: 'x', line: 1, col: 1 },
});

function samplePlan(): Plan {
  return basePlan(
    { model: 'open', phases: [{ name: 'steady', durationMs: 1000, rate: 5, pause: false, onStart: [], onEnd: [] }], maxVus: 10, spacing: 'uniform' },
    { journeys: [{ name: 'shop', weight: 1, tags: {}, steps: [req('home'), { kind: 'group', name: 'g', steps: [req('product')], pos: { file: 'x', line: 1, col: 1 } }] }] },
  );
}

function sampleReport() {
  const reg = createRegistry();
  for (let i = 0; i < 100; i++) {
    reg.trend(METRIC.httpLatency, { journey: 'shop', step: 'home', status: '200' }, 'us').record(1000 + i * 100);
    reg.counter(METRIC.httpRequests, { journey: 'shop', step: 'home', status: '200' }).add(1);
    reg.rate(METRIC.httpErrors, { journey: 'shop', step: 'home' }).add(i < 5);
    reg.rate(METRIC.checks, { journey: 'shop', check: 'is_ok' }).add(i % 10 !== 0);
  }
  reg.trend(METRIC.httpLatency, { journey: 'shop', step: 'product', status: '500', error: '5xx' }, 'us').record(250_000);
  reg.counter(METRIC.journeysStarted, { journey: 'shop' }).add(100);
  reg.counter(METRIC.journeysCompleted, { journey: 'shop' }).add(95);
  reg.counter(METRIC.journeysFailed, { journey: 'shop' }).add(5);
  reg.trend(METRIC.journeyDuration, { journey: 'shop' }, 'us').record(30_000);
  reg.gauge(METRIC.vus, {}).set(3);
  return buildReport({
    plan: samplePlan(),
    version: '0.1.0',
    runId: 'r1',
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_010_000,
    verdict: 'failed',
    exitCode: 1,
    cumulative: reg.cumulative(),
    thresholds: [
      { key: 'http.latency{step:home}', metric: 'http.latency', filter: { step: 'home' }, expression: 'p(95) < 5ms', passed: false, observed: 10.4, abortOnFail: false, message: 'p(95) = 10.4 ms' },
      { key: 'http.errors', metric: 'http.errors', filter: {}, expression: 'rate < 1%', passed: false, observed: 0.05, abortOnFail: false },
      { key: 'x', metric: 'x', filter: {}, expression: 'count > 0', passed: false, observed: NaN, abortOnFail: false },
    ],
    phases: [{ name: 'steady', startOffsetMs: 0, endOffsetMs: 1000 }],
    timeline: [{ t: 1, phase: 'steady', requests: 100, errors: 5, p50: 6, p95: 10, p99: 11, vus: 3, planned: 5, started: 5, dropped: 0 }],
    generator: { lateArrivals: 0, droppedArrivals: 2, eventLoopLagP99Ms: 1.2, eventLoopLagMaxMs: 3, overloaded: false },
    warnings: ['something to know'],
    environment: { node: 'v20', platform: 'linux-x64', host: 'h', cpus: 2 },
  });
}

describe('buildReport', () => {
  it('lists step names in journey order, nested ones too', () => {
    expect(stepNames(samplePlan().journeys[0]!.steps)).toEqual(['home', 'product']);
  });

  it('summarizes journeys, steps and checks, and validates against the report schema', () => {
    const report = sampleReport();
    const shop = report.journeys?.[0];
    expect(shop).toMatchObject({ name: 'shop', started: 100, completed: 95, failed: 5 });
    const home = shop?.steps.find((s) => s.name === 'home');
    expect(home?.requests).toBe(100);
    expect(home?.rps).toBeCloseTo(10);
    expect(home?.errorRate).toBeCloseTo(0.05);
    expect(home?.p50).toBeGreaterThan(5);
    expect(home?.p50).toBeLessThan(6.5);
    expect(home?.max).toBeGreaterThanOrEqual(10.8);
    expect(shop?.steps.find((s) => s.name === 'product')?.p99).toBeGreaterThan(240);
    expect(report.checks).toEqual([{ name: 'is_ok', passes: 90, fails: 10, rate: 0.9 }]);
    expect(report.thresholds[2]?.observed).toBeNull();
    expect(validateReport(JSON.parse(JSON.stringify(report)))).toEqual([]);
  });

  it('the schema rejects what is not a report', () => {
    const bad = { ...JSON.parse(JSON.stringify(sampleReport())), verdict: 'meh' } as Record<string, unknown>;
    expect(validateReport(bad).join()).toContain('/verdict');
    const missing: Record<string, unknown> = { ...bad, verdict: 'passed' };
    delete missing.thresholds;
    expect(validateReport(missing).length).toBeGreaterThan(0);
  });

  it('renders a console summary with steps, checks, thresholds and warnings', () => {
    const text = renderSummary(sampleReport());
    expect(text).toContain('verdict: FAILED');
    expect(text).toMatch(/home\s+100\s+10\/s\s+5%/);
    expect(text).toMatch(/is_ok\s+90\s+10\s+90%/);
    expect(text).toContain('✗ FAIL  http.latency{step:home}: p(95) < 5ms  observed 10.4ms');
    expect(text).toContain('http.errors: rate < 1%  observed 5%');
    expect(text).toContain('something to know');
    expect(text).toContain('2 arrivals dropped');
    expect(text).not.toContain('\x1b[');
    expect(renderSummary(sampleReport(), { color: true })).toContain('\x1b[');
  });

  it('renders a live progress line', () => {
    const line = progressLine(
      {
        offsetMs: 5000,
        phase: 'steady',
        interval: { startMs: 0, endMs: 1000, series: [] },
        cumulative: { startMs: 0, endMs: 1000, series: [] },
        point: { t: 5, phase: 'steady', requests: 48, errors: 2, p50: 3, p95: 12.5, p99: 20, vus: 7, planned: 50, started: 49, dropped: 1 },
        thresholds: [{ key: 'a', metric: 'a', filter: {}, expression: 'x', passed: false, observed: 1, abortOnFail: false }],
        targetRate: 50,
      },
      { runId: 'r', scenarioName: 's', target: 't', startedAt: 0, plannedDurationMs: 65_000, phases: [] },
    );
    expect(line).toBe('[steady] 5s, 1m00s left | 48/s req | arrivals 49/s of 50/s | VUs 7 | p95 12.5ms | errors 4.17% | dropped 1 | thresholds 1/1 failing');
  });
});
