import { describe, expect, it } from 'vitest';
import { evaluateThreshold, evaluateThresholds } from '../../../src/thresholds/evaluate.js';
import { plan, snapshotOf } from './helpers.js';

// 10 s window; latencies 1..100 ms on step a, 500 ms on step b; 4 of 20 requests failed;
// 1,000 bytes received 5 times; custom raw trend; vus set 3 → 12 → 8.
const snap = snapshotOf((r) => {
  const a = r.trend('http.latency', { step: 'a', method: 'GET' });
  for (let i = 1; i <= 100; i++) a.record(i * 1000);
  r.trend('http.latency', { step: 'b', method: 'POST' }).record(500_000);
  const errors = r.rate('http.errors', {});
  for (let i = 0; i < 20; i++) errors.add(i < 4);
  const bytes = r.counter('data.received', {}, 'bytes');
  for (let i = 0; i < 5; i++) bytes.add(1000);
  r.counter('journeys.dropped', {});
  const cart = r.trend('cart.total', {}, 'raw');
  cart.record(19.99);
  cart.record(5.01);
  const vus = r.gauge('vus', {});
  vus.set(3);
  vus.set(12);
  vus.set(8);
});

function observed(agg: Parameters<typeof plan>[3], metric: string, filter: Record<string, string> = {}): number | null {
  return evaluateThreshold(plan(metric, metric, filter, agg, '<', Infinity), snap).observed;
}

describe('evaluateThreshold: values per metric type', () => {
  it('trend (µs): p(N), avg, min, max, med in ms; count = samples; sum in ms', () => {
    const f = { step: 'a' };
    const p95 = observed({ fn: 'p', percentile: 95 }, 'http.latency', f) as number;
    expect(p95).toBeGreaterThanOrEqual(95);
    expect(p95).toBeLessThanOrEqual(95.1);
    expect(observed({ fn: 'avg' }, 'http.latency', f)).toBe(50.5);
    expect(observed({ fn: 'min' }, 'http.latency', f)).toBe(1);
    expect(observed({ fn: 'max' }, 'http.latency', f)).toBe(100);
    const med = observed({ fn: 'med' }, 'http.latency', f) as number;
    expect(med).toBeGreaterThanOrEqual(50);
    expect(med).toBeLessThanOrEqual(50.1);
    expect(observed({ fn: 'count' }, 'http.latency', f)).toBe(100);
    expect(observed({ fn: 'sum' }, 'http.latency', f)).toBe(5050);
    // No filter: both steps.
    expect(observed({ fn: 'count' }, 'http.latency')).toBe(101);
    expect(observed({ fn: 'max' }, 'http.latency')).toBe(500);
    expect(observed({ fn: 'max' }, 'http.latency', { method: 'POST' })).toBe(500);
  });

  it('trend (raw): real values', () => {
    expect(observed({ fn: 'max' }, 'cart.total')).toBe(19.99);
    expect(observed({ fn: 'avg' }, 'cart.total')).toBeCloseTo(12.5, 9);
    expect(observed({ fn: 'p', percentile: 100 }, 'cart.total')).toBe(19.99);
  });

  it('rate: rate = fraction of trues, count = samples, sum = trues', () => {
    expect(observed({ fn: 'rate' }, 'http.errors')).toBe(0.2);
    expect(observed({ fn: 'count' }, 'http.errors')).toBe(20);
    expect(observed({ fn: 'sum' }, 'http.errors')).toBe(4);
  });

  it('counter: count = sum = total; rate = total per second of the window', () => {
    expect(observed({ fn: 'count' }, 'data.received')).toBe(5000);
    expect(observed({ fn: 'sum' }, 'data.received')).toBe(5000);
    expect(observed({ fn: 'rate' }, 'data.received')).toBe(500);
    // A counter that exists but was never added to reads as 0.
    expect(evaluateThreshold(plan('journeys.dropped', 'journeys.dropped', {}, { fn: 'count' }, '==', 0), snap)).toMatchObject({ passed: true, observed: 0 });
  });

  it('gauge: value = last value, min, max', () => {
    expect(observed({ fn: 'value' }, 'vus')).toBe(8);
    expect(observed({ fn: 'min' }, 'vus')).toBe(3);
    expect(observed({ fn: 'max' }, 'vus')).toBe(12);
  });

  it('fails an aggregation that does not apply to the metric type, saying which ones do', () => {
    const cases = [
      [{ fn: 'rate' }, 'http.latency', /rate does not apply to a trend metric; use p\(N\), avg/],
      [{ fn: 'value' }, 'http.latency', /value does not apply to a trend/],
      [{ fn: 'p', percentile: 95 }, 'http.errors', /p\(95\) does not apply to a rate metric; use rate, count, sum/],
      [{ fn: 'avg' }, 'http.errors', /avg does not apply to a rate/],
      [{ fn: 'max' }, 'data.received', /max does not apply to a counter metric; use count, sum, rate/],
      [{ fn: 'med' }, 'data.received', /med does not apply to a counter/],
      [{ fn: 'avg' }, 'vus', /avg does not apply to a gauge metric; use value, min, max/],
      [{ fn: 'count' }, 'vus', /count does not apply to a gauge/],
    ] as const;
    for (const [agg, metric, message] of cases) {
      const r = evaluateThreshold(plan(metric, metric, {}, agg, '<', 1e9), snap);
      expect(r.passed).toBe(false);
      expect(r.observed).toBeNull();
      expect(r.message).toMatch(message);
    }
  });
});

describe('evaluateThreshold: comparisons and results', () => {
  it('applies every operator', () => {
    const at = (op: Parameters<typeof plan>[4], v: number): boolean => evaluateThreshold(plan('http.errors', 'http.errors', {}, { fn: 'rate' }, op, v), snap).passed;
    expect([at('<', 0.3), at('<', 0.2), at('<=', 0.2), at('<=', 0.1)]).toEqual([true, false, true, false]);
    expect([at('>', 0.1), at('>', 0.2), at('>=', 0.2), at('>=', 0.3)]).toEqual([true, false, true, false]);
    expect([at('==', 0.2), at('==', 0.21), at('!=', 0.21), at('!=', 0.2)]).toEqual([true, false, true, false]);
  });

  it('returns the result with the key, filter, expression and a message when it fails', () => {
    const t = plan('http.latency{step:a}', 'http.latency', { step: 'a' }, { fn: 'max' }, '<', 50, { source: 'max < 50ms', abortOnFail: true });
    const r = evaluateThreshold(t, snap);
    expect(r).toEqual({
      key: 'http.latency{step:a}',
      metric: 'http.latency',
      filter: { step: 'a' },
      expression: 'max < 50ms',
      abortOnFail: true,
      passed: false,
      observed: 100,
      message: 'http.latency{step:a}: max = 100ms, expected < 50ms',
    });
    const ok = evaluateThreshold(plan('http.latency', 'http.latency', {}, { fn: 'max' }, '<', 600), snap);
    expect(ok.passed).toBe(true);
    expect(ok.message).toBeUndefined();
    const rate = evaluateThreshold(plan('http.errors', 'http.errors', {}, { fn: 'rate' }, '<', 0.01), snap);
    expect(rate.message).toBe('http.errors: rate = 20%, expected < 1%');
  });

  it('fails with "no samples" when the metric or the tag filter matches nothing', () => {
    for (const t of [
      plan('http.latency{step:typo}', 'http.latency', { step: 'typo' }, { fn: 'p', percentile: 95 }, '<', 1e9),
      plan('nope', 'nope', {}, { fn: 'count' }, '>=', 0),
      plan('checks', 'checks', {}, { fn: 'rate' }, '>', 0),
    ]) {
      const r = evaluateThreshold(t, snap);
      expect(r.passed).toBe(false);
      expect(r.observed).toBeNull();
      expect(r.message).toBe(`no samples for ${t.key}`);
    }
  });

  it('evaluates a list in order', () => {
    const rs = evaluateThresholds(
      [plan('a', 'http.errors', {}, { fn: 'rate' }, '<', 0.5), plan('b', 'http.errors', {}, { fn: 'rate' }, '<', 0.1)],
      snap,
    );
    expect(rs.map((r) => [r.key, r.passed])).toEqual([['a', true], ['b', false]]);
  });
});
