import { describe, expect, it } from 'vitest';
import { boundRanks, loadMsOf, percentileBounds, samplesBySeries, stallSlack } from '../../../src/report/compare-bounds.js';
import { compareReports, parseTolerances, renderComparison } from '../../../src/report/compare.js';
import { createRegistry, toSeriesReport } from '../../../src/metrics/index.js';
import type { Report } from '../../../src/report/model.js';
import { sampleReport } from './fixture-report.js';

/** A report whose only latency series holds these samples (ms), with its histogram; its load ran `loadMs` (default: the fixture's phases). */
function reportOf(samplesMs: readonly number[], runId = 'run', loadMs?: number): Report {
  const reg = createRegistry({ now: () => 1000 });
  const t = reg.trend('http.latency', { journey: 'browse', step: 'product' });
  for (const v of samplesMs) t.record(v * 1000);
  const series = reg.cumulative().series.map((s) => toSeriesReport(s, 5000));
  reg.dispose();
  const phases = loadMs !== undefined ? [{ name: 'stage-1', startOffsetMs: 30, endOffsetMs: 30 + loadMs }] : sampleReport().phases;
  return { ...sampleReport(), runId, series, journeys: [], phases };
}

const repeat = (n: number, v: number): number[] => Array.from({ length: n }, () => v);

describe('percentile confidence bounds', () => {
  it.each([
    // n, q, lower rank, upper rank
    [20, 0.95, 17, 20],
    [20, 0.5, 5, 16],
    [200, 0.95, 183, 198],
    [100_000, 0.99, 98_938, 99_063],
    [1, 0.99, 1, 1],
  ])('%d samples, q=%d: ranks %d … %d', (n, q, low, high) => {
    expect(boundRanks(n, q)).toEqual({ low, high });
  });

  it('reads the bounds from the merged histograms', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1); // 1 … 1000 ms
    // One request at a time (the load ran as long as their latencies add up to): independent samples.
    const s = samplesBySeries(reportOf(values, 'run', 500_500)).get('all requests');
    expect(s?.n).toBe(1000);
    const b = percentileBounds(s!, 95);
    // ranks 936 … 965 of 1 … 1000 ms (HDR keeps 3 significant digits)
    expect(b.low).toBeCloseTo(936, -1);
    expect(b.high).toBeCloseTo(965, -1);
  });
});

describe('compareReports with histograms', () => {
  it('a p95 that moved on 20 requests from one slow request more is within the noise, not a regression', () => {
    const base = reportOf([...repeat(19, 1), 3]);
    const current = reportOf([...repeat(18, 1), 3.5, 3.5], 'run-2');
    const c = compareReports(base, current, parseTolerances('p95=10%'));
    expect(c.series[0]?.fields.p95?.current).toBeGreaterThan(3); // the point value did rise
    expect(c.passed).toBe(true);
    expect(c.regressions).toEqual([]);
    expect(c.withinNoise).toHaveLength(1);
    expect(c.withinNoise[0]).toMatch(/^p95 of all requests: 1\.0ms → 3\.5ms .* is within the noise of 20 and 20 requests: 95 % bounds /);
    expect(renderComparison(c)).toContain('  ~ p95 of all requests');
  });

  it('a slowdown that every request shows counts even on 20 requests', () => {
    const c = compareReports(reportOf(repeat(20, 5)), reportOf(repeat(20, 400), 'run-2'), parseTolerances('p95=50%'));
    expect(c.passed).toBe(false);
    expect(c.regressions[0]).toMatch(/^p95 of all requests: 5\.0ms → 400ms/);
    expect(c.withinNoise).toEqual([]);
  });

  it('with thousands of requests the bounds are close to the value: a 20 % rise of p95 counts', () => {
    const values = Array.from({ length: 5000 }, (_, i) => 1 + (i % 100));
    // 5,000 requests over 10 minutes: well under one in flight at a time.
    const c = compareReports(reportOf(values, 'run', 600_000), reportOf(values.map((v) => v * 1.2), 'run-2', 600_000), parseTolerances('p95=10%'));
    expect(c.regressions).toHaveLength(1);
    expect(c.regressions[0]).toMatch(/^p95 of all requests: 9[56]\.\d+ms → 11[45]ms/);
  });

  it('requests in flight together widen the bounds by one stall: two shared stalls in a 2-VU smoke run are noise', () => {
    // 2 VUs in step, ten 1.5 ms requests each; twice a 4 ms stall delayed both VUs' requests.
    const base = [...repeat(18, 1.5), 1.8, 1.9];
    const current = [...repeat(16, 1.5), 6, 6, 6.2, 6.2];
    const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
    // The load ran as long as one VU's ten requests: about two requests in flight at any time.
    const smoke = compareReports(reportOf(base, 'a', sum(base) / 2), reportOf(current, 'b', sum(current) / 2), parseTolerances('p95=10%'));
    expect(smoke.series[0]?.fields.p95?.current).toBeGreaterThan(5);
    expect(smoke.regressions).toEqual([]);
    expect(smoke.withinNoise[0]).toMatch(/within the noise of 20 and 20 requests \(up to 2 and 2 in flight together, which one stall delays at once\)/);
    // A slowdown every request shows still counts with two in flight.
    const slower = repeat(20, 3);
    const real = compareReports(reportOf(base, 'a', sum(base) / 2), reportOf(slower, 'c', sum(slower) / 2), parseTolerances('p95=10%'));
    expect(real.regressions).toHaveLength(1);
    // The same samples one after another (one request in flight): four slow ones of twenty are a regression.
    const serial = compareReports(reportOf(base, 'a', sum(base)), reportOf(current, 'b', sum(current)), parseTolerances('p95=10%'));
    expect(serial.regressions).toHaveLength(1);
  });

  it('many requests in flight widen the bounds only by one stall\'s worth: a 12 % rise with 200 in flight still counts', () => {
    const values = Array.from({ length: 120_000 }, (_, i) => 50 + (i % 100));
    const sum = values.reduce((a, b) => a + b, 0);
    const c = compareReports(reportOf(values, 'run', sum / 200), reportOf(values.map((v) => v * 1.12), 'run-2', (sum * 1.12) / 200), parseTolerances('p95=10%'));
    expect(c.regressions).toHaveLength(1);
  });

  it('counts the requests in flight from the summed latency over the load\'s time, at least one', () => {
    const values = Array.from({ length: 5000 }, (_, i) => 1 + (i % 10));
    const long = samplesBySeries(reportOf(values, 'a', 60_000)).get('all requests');
    expect(long?.inFlight).toBe(1);
    expect(stallSlack(long!)).toBe(0);
    const busy = samplesBySeries(reportOf(values, 'a', 5_500)).get('all requests');
    // 27,500 ms of latency over 5.5 s: 5 requests in flight on average.
    expect(busy?.inFlight).toBeCloseTo(5, 5);
    expect(stallSlack(busy!)).toBe(4);
  });

  it('the load\'s time spans its phases, also when blocks run side by side', () => {
    const r = { ...sampleReport(), durationMs: 9000, phases: [{ name: 'a', startOffsetMs: 100, endOffsetMs: 5100 }, { name: 'b', startOffsetMs: 600, endOffsetMs: 3600 }] };
    expect(loadMsOf(r)).toBe(5000);
    expect(loadMsOf({ ...r, phases: [] })).toBe(9000);
  });

  it('identical reports compare clean with every field at 0 % tolerance', () => {
    const r = reportOf(Array.from({ length: 300 }, (_, i) => 1 + (i % 17)));
    const c = compareReports(r, r, parseTolerances('p50=0%,p95=0%,p99=0%'));
    expect(c.passed).toBe(true);
    expect(c.withinNoise).toEqual([]);
  });
});
