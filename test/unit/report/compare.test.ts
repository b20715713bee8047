import { describe, expect, it } from 'vitest';
import { compareReports, parseTolerances, renderComparison, seriesValues } from '../../../src/report/compare.js';
import { createRegistry, toSeriesReport } from '../../../src/metrics/index.js';
import type { Report, StepReport } from '../../../src/report/model.js';
import { UsageError } from '../../../src/errors.js';
import { sampleReport } from './fixture-report.js';

/** The sample report with its `product` step changed. */
function withProduct(change: Partial<StepReport>): Report {
  const r = sampleReport();
  const journeys = (r.journeys ?? []).map((j) => ({ ...j, steps: j.steps.map((s) => (s.name === 'product' ? { ...s, ...change } : s)) }));
  return { ...r, runId: 'run-2', journeys };
}

describe('parseTolerances', () => {
  it('reads relative and absolute limits and the floor', () => {
    const t = parseTolerances('p95=10%, p99=50ms,rps=20%,errors=0.5%,floor=2ms,p50=1s');
    expect(t.limits).toEqual({
      p95: { kind: 'relative', value: 0.1 },
      p99: { kind: 'absolute', value: 50 },
      rps: { kind: 'relative', value: 0.2 },
      errors: { kind: 'absolute', value: 0.005 },
      p50: { kind: 'absolute', value: 1000 },
    });
    expect(t.floorMs).toBe(2);
    expect(parseTolerances('').floorMs).toBe(1);
  });

  it.each([
    ['p95=fast', /p95 takes a percentage or a time/],
    ['errors=3', /errors takes percentage points/],
    ['p90=10%', /unknown key "p90"/],
    ['rps=lots', /rps takes/],
    ['floor=5%', /floor takes a time/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseTolerances(spec)).toThrow(UsageError);
    expect(() => parseTolerances(spec)).toThrow(message);
  });
});

describe('compareReports', () => {
  it('the same report compares clean', () => {
    const c = compareReports(sampleReport(), sampleReport(), parseTolerances('p50=0%,p95=0%,p99=0%,rps=0%,errors=0%'));
    expect(c.passed).toBe(true);
    expect(c.series.map((s) => s.series)).toEqual(['all requests', 'browse › product', 'browse › order']);
    expect(c.series[1]?.fields.p95).toEqual({ base: 14.2, current: 14.2, relative: 0, regressed: false });
  });

  it('fails on a p95 rise beyond the relative limit, not within it', () => {
    const tol = parseTolerances('p95=10%');
    expect(compareReports(sampleReport(), withProduct({ p95: 15.5 }), tol).passed).toBe(true); // +9.2%
    const c = compareReports(sampleReport(), withProduct({ p95: 16 }), tol); // +12.7%, +1.8ms
    expect(c.passed).toBe(false);
    expect(c.regressions).toEqual(['p95 of browse › product: 14.2ms → 16.0ms (+12.7%, limit +10%)']);
  });

  it('the floor keeps sub-millisecond jitter from counting', () => {
    const r = (p95: number): Report => withProduct({ p95 });
    expect(compareReports(r(2), r(2.8), parseTolerances('p95=10%')).passed).toBe(true);
    expect(compareReports(r(2), r(2.8), parseTolerances('p95=10%,floor=0ms')).passed).toBe(false);
  });

  it('absolute latency limits, throughput drops and error-rate points', () => {
    expect(compareReports(sampleReport(), withProduct({ p99: 45 }), parseTolerances('p99=10ms')).regressions).toHaveLength(1);
    expect(compareReports(sampleReport(), withProduct({ p99: 39 }), parseTolerances('p99=10ms')).passed).toBe(true);
    expect(compareReports(sampleReport(), withProduct({ rps: 20 }), parseTolerances('rps=20%')).regressions[0]).toMatch(/^rps of browse › product: 30\/s → 20\/s/);
    expect(compareReports(sampleReport(), withProduct({ rps: 26 }), parseTolerances('rps=20%')).passed).toBe(true);
    expect(compareReports(sampleReport(), withProduct({ errorRate: 0.02 }), parseTolerances('errors=0.5%')).passed).toBe(false); // 1.33% → 2%
    expect(compareReports(sampleReport(), withProduct({ errorRate: 0.018 }), parseTolerances('errors=0.5%')).passed).toBe(true);
    // Improvements are never regressions.
    expect(compareReports(sampleReport(), withProduct({ p95: 1, rps: 90, errorRate: 0 }), parseTolerances('p95=0%,rps=0%,errors=0%')).passed).toBe(true);
  });

  it('a step in only one report is listed, not a regression; different scenarios warn', () => {
    const other = { ...sampleReport(), scenario: { ...sampleReport().scenario, name: 'other' }, journeys: [] };
    const c = compareReports(sampleReport(), other);
    expect(c.series.filter((s) => s.status === 'missing').map((s) => s.series)).toEqual(['browse › product', 'browse › order']);
    expect(c.passed).toBe(true);
    expect(c.warnings[0]).toMatch(/different scenarios/);
    expect(renderComparison(c)).toContain('missing');
  });

  it('all-requests percentiles come from the merged histograms of every latency series', () => {
    const reg = createRegistry({ now: () => 1000 });
    const a = reg.trend('http.latency', { step: 'a' });
    const b = reg.trend('http.latency', { step: 'b' });
    for (let i = 0; i < 90; i++) a.record(1000); // 1 ms
    for (let i = 0; i < 10; i++) b.record(100_000); // 100 ms
    const series = reg.cumulative().series.map((s) => toSeriesReport(s, 1000));
    reg.dispose();
    const v = seriesValues({ ...sampleReport(), series, journeys: [] }).get('all requests');
    expect(v?.p50).toBeCloseTo(1, 1);
    expect(v?.p95).toBeCloseTo(100, 0);
    expect(v?.rps).toBe(100 / 5);
  });

  it('renders a table with the changes and the regressions', () => {
    const text = renderComparison(compareReports(sampleReport(), withProduct({ p95: 20 }), parseTolerances('p95=10%')));
    expect(text).toContain('browse › product');
    expect(text).toContain('14.2ms → 20.0ms +40.8% ✗');
    expect(text).toContain('comparison: 1 regression');
  });
});
