import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../src/metrics/registry.js';
import { selectSeries, summarize, toSeriesReport } from '../../../src/metrics/summary.js';
import { EngineError } from '../../../src/errors.js';
import type { MetricsSnapshot, SeriesSnapshot } from '../../../src/metrics/types.js';

function run(record: (r: ReturnType<typeof createRegistry>) => void, windowMs = 4000): MetricsSnapshot {
  let t = 0;
  const r = createRegistry({ now: () => t });
  try {
    record(r);
    t = windowMs;
    return r.cumulative();
  } finally {
    r.dispose();
  }
}

describe('selectSeries', () => {
  it('returns the series of the metric that have every filter tag', () => {
    const s = run((r) => {
      r.counter('http.requests', { step: 'a', status: '200' }).add(1);
      r.counter('http.requests', { step: 'a', status: '500' }).add(1);
      r.counter('http.requests', { step: 'b', status: '200' }).add(1);
      r.counter('http.other', { step: 'a' }).add(1);
    });
    expect(selectSeries(s, 'http.requests', {})).toHaveLength(3);
    expect(selectSeries(s, 'http.requests', { step: 'a' })).toHaveLength(2);
    expect(selectSeries(s, 'http.requests', { step: 'a', status: '500' })).toHaveLength(1);
    expect(selectSeries(s, 'http.requests', { step: 'c' })).toHaveLength(0);
    expect(selectSeries(s, 'http.requests', { nope: 'a' })).toHaveLength(0);
  });
});

describe('summarize', () => {
  it('trend: ms from µs, rate = samples per second of the window, merged percentiles', () => {
    const s = run((r) => {
      const a = r.trend('http.latency', { step: 'a' });
      const b = r.trend('http.latency', { step: 'b' });
      for (let i = 1; i <= 100; i++) (i % 2 ? a : b).record(i * 1000);
    });
    const m = summarize(selectSeries(s, 'http.latency', {}), 4000);
    expect(m.count).toBe(100);
    expect(m.rate).toBe(25);
    expect(m.sum).toBe(5050);
    expect(m.avg).toBe(50.5);
    expect(m.min).toBe(1);
    expect(m.max).toBe(100);
    for (const [p, want] of [[50, 50], [90, 90], [95, 95], [99, 99]] as const) {
      const got = m.percentile(p);
      expect(got).toBeGreaterThanOrEqual(want);
      expect(got).toBeLessThanOrEqual(want * 1.001);
    }
    expect(m.p95).toBe(m.percentile(95));
    expect(m.percentile(100)).toBe(100);
    expect(m.percentile(0)).toBe(1);
    expect(m.percentile(101)).toBeNaN();
    expect(m.percentile(-1)).toBeNaN();
    expect(summarize(selectSeries(s, 'http.latency', {}), 0).rate).toBe(0);
  });

  it('raw trend: real values, no ms conversion', () => {
    const s = run((r) => {
      const h = r.trend('order.total', {}, 'raw');
      for (const v of [10.5, 20.25, 30]) h.record(v);
    });
    const m = summarize(selectSeries(s, 'order.total', {}), 4000);
    expect(m.sum).toBeCloseTo(60.75, 9);
    expect(m.min).toBe(10.5);
    expect(m.max).toBe(30);
    expect(m.p50).toBeCloseTo(20.25, 1);
  });

  it('counter: total and total per second', () => {
    const s = run((r) => {
      r.counter('data.received', { step: 'a' }, 'bytes').add(1000);
      r.counter('data.received', { step: 'b' }, 'bytes').add(3000);
      r.counter('data.received', { step: 'b' }, 'bytes').add(4000);
    }, 2000);
    const m = summarize(selectSeries(s, 'data.received', {}), 2000);
    expect(m).toMatchObject({ count: 3, sum: 8000, rate: 4000, min: 1000, max: 4000 });
    expect(m.p50).toBeNaN();
    expect(m.percentile(50)).toBeNaN();
  });

  it('rate: fraction of trues over all selected series', () => {
    const s = run((r) => {
      const a = r.rate('checks', { check: 'a' });
      const b = r.rate('checks', { check: 'b' });
      a.add(true);
      a.add(true);
      a.add(false);
      b.add(false);
    });
    expect(summarize(selectSeries(s, 'checks', {}), 4000)).toMatchObject({ count: 4, sum: 2, rate: 0.5, min: 0, max: 1 });
    expect(summarize(selectSeries(s, 'checks', { check: 'a' }), 4000).rate).toBeCloseTo(2 / 3, 12);
  });

  it('gauge: the last value, summed over tag sets', () => {
    const s = run((r) => {
      r.gauge('vus', { block: 'a' }).set(10);
      r.gauge('vus', { block: 'a' }).set(4);
      r.gauge('vus', { block: 'b' }).set(6);
    });
    expect(summarize(selectSeries(s, 'vus', {}), 4000)).toMatchObject({ rate: 10, sum: 10, min: 4, max: 10 });
    expect(summarize(selectSeries(s, 'vus', { block: 'a' }), 4000)).toMatchObject({ rate: 4, min: 4, max: 10 });
  });

  it('empty: count 0, NaN where nothing can be said', () => {
    const m = summarize([], 1000);
    expect(m.count).toBe(0);
    expect(m.avg).toBeNaN();
    expect(m.percentile(50)).toBeNaN();
  });

  it('refuses to mix metric types', () => {
    const c: SeriesSnapshot = { metric: 'x', type: 'counter', unit: 'count', tags: {}, count: 1, sum: 1, min: 1, max: 1 };
    expect(() => summarize([c, { ...c, type: 'rate' }], 1000)).toThrow(EngineError);
  });
});

describe('toSeriesReport', () => {
  it('reports one series in display units, JSON-safe, with its histogram', () => {
    const s = run((r) => {
      const h = r.trend('http.latency', { step: 'a' });
      h.record(2000);
      h.record(4000);
      r.counter('http.requests', {}).add(1);
    });
    const [lat] = selectSeries(s, 'http.latency', {});
    const rep = toSeriesReport(lat as SeriesSnapshot, 4000);
    expect(rep).toMatchObject({ metric: 'http.latency', type: 'trend', unit: 'us', tags: { step: 'a' }, count: 2, rate: 0.5, sum: 6, avg: 3, min: 2, max: 4 });
    expect(rep.hist).toBe(lat?.hist);
    expect(rep.p99).toBe(4);
    const [req] = selectSeries(s, 'http.requests', {});
    const r2 = toSeriesReport(req as SeriesSnapshot, 4000);
    expect(r2.p50).toBe(0);
    expect(r2.hist).toBeUndefined();
    expect(JSON.parse(JSON.stringify(r2))).toEqual(r2);
  });
});
