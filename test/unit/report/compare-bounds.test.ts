import { describe, expect, it } from 'vitest';
import { boundRanks, percentileBounds, samplesBySeries } from '../../../src/report/compare-bounds.js';
import { compareReports, parseTolerances, renderComparison } from '../../../src/report/compare.js';
import { createRegistry, toSeriesReport } from '../../../src/metrics/index.js';
import type { Report } from '../../../src/report/model.js';
import { sampleReport } from './fixture-report.js';

/** A report whose only latency series holds these samples (ms), with its histogram. */
function reportOf(samplesMs: readonly number[], runId = 'run'): Report {
  const reg = createRegistry({ now: () => 1000 });
  const t = reg.trend('http.latency', { journey: 'browse', step: 'product' });
  for (const v of samplesMs) t.record(v * 1000);
  const series = reg.cumulative().series.map((s) => toSeriesReport(s, 5000));
  reg.dispose();
  return { ...sampleReport(), runId, series, journeys: [] };
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
    const s = samplesBySeries(reportOf(values)).get('all requests');
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
    const c = compareReports(reportOf(values), reportOf(values.map((v) => v * 1.2), 'run-2'), parseTolerances('p95=10%'));
    expect(c.regressions).toHaveLength(1);
    expect(c.regressions[0]).toMatch(/^p95 of all requests: 9[56]\.\d+ms → 11[45]ms/);
  });

  it('identical reports compare clean with every field at 0 % tolerance', () => {
    const r = reportOf(Array.from({ length: 300 }, (_, i) => 1 + (i % 17)));
    const c = compareReports(r, r, parseTolerances('p50=0%,p95=0%,p99=0%'));
    expect(c.passed).toBe(true);
    expect(c.withinNoise).toEqual([]);
  });
});
