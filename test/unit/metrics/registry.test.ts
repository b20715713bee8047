import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, OVERFLOW_TAGS } from '../../../src/metrics/registry.js';
import type { MetricsRegistry } from '../../../src/metrics/registry.js';
import { selectSeries, summarize } from '../../../src/metrics/summary.js';
import { RampartError } from '../../../src/errors.js';
import type { MetricsSnapshot, SeriesSnapshot } from '../../../src/metrics/types.js';

const made: MetricsRegistry[] = [];
function registry(opts: Parameters<typeof createRegistry>[0] = {}): MetricsRegistry {
  const r = createRegistry(opts);
  made.push(r);
  return r;
}
afterEach(() => {
  for (const r of made.splice(0)) r.dispose();
});

function one(s: MetricsSnapshot, metric: string, tags: Record<string, string> = {}): SeriesSnapshot {
  const found = selectSeries(s, metric, tags);
  expect(found).toHaveLength(1);
  return found[0] as SeriesSnapshot;
}

describe('createRegistry handles', () => {
  it('returns one cached handle per series, whatever the tag order', () => {
    const r = registry();
    const a = r.trend('http.latency', { step: 'a', method: 'GET' });
    const b = r.trend('http.latency', { method: 'GET', step: 'a' });
    const c = r.trend('http.latency', { method: 'GET', step: 'b' });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(r.counter('http.requests', {})).toBe(r.counter('http.requests', {}));
    expect(r.rate('checks', { check: 'x' })).toBe(r.rate('checks', { check: 'x' }));
    expect(r.gauge('vus', {})).toBe(r.gauge('vus', {}));
    expect(r.seriesCount).toBe(5);
  });

  it('keeps tags that look like separators apart', () => {
    const r = registry();
    r.counter('m', { a: 'x,b=y' }).add(1);
    r.counter('m', { a: 'x', b: 'y' }).add(2);
    expect(r.seriesCount).toBe(2);
    const s = r.takeInterval();
    expect(one(s, 'm', { a: 'x,b=y' }).sum).toBe(1);
    expect(one(s, 'm', { a: 'x', b: 'y' }).sum).toBe(2);
  });

  it('refuses one metric name with two types or units', () => {
    const r = registry();
    r.trend('t', {});
    expect(() => r.counter('t', {})).toThrow(RampartError);
    expect(() => r.trend('t', { other: 'tags' }, 'raw')).toThrow(/trend \(us\).*trend \(raw\)/);
    r.counter('bytes', {}, 'bytes');
    expect(() => r.counter('bytes', {}, 'count')).toThrow(/bytes/);
  });

  it('does not let tag objects be changed behind its back', () => {
    const r = registry();
    const tags: Record<string, string> = { step: 'a' };
    r.counter('c', tags).add(1);
    tags.step = 'b';
    expect(r.takeInterval().series[0]?.tags).toEqual({ step: 'a' });
  });
});

describe('series cap', () => {
  it('sends new tag sets beyond the cap to one overflow series per metric and warns once', () => {
    const warnings: string[] = [];
    const r = registry({ maxSeries: 3, onWarning: (m) => warnings.push(m) });
    for (let i = 0; i < 10; i++) r.counter('http.requests', { url: `/item/${i}` }).add(1);
    for (let i = 0; i < 5; i++) r.trend('http.latency', { url: `/item/${i}` }).record(1000 * (i + 1));
    // Existing series keep working after the cap.
    r.counter('http.requests', { url: '/item/0' }).add(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/more than 3 series/);
    expect(r.seriesCount).toBe(5); // 3 regular + one overflow per metric
    const s = r.takeInterval();
    expect(one(s, 'http.requests', OVERFLOW_TAGS).sum).toBe(7);
    expect(one(s, 'http.requests', { url: '/item/0' }).sum).toBe(2);
    const overflowTrend = one(s, 'http.latency', OVERFLOW_TAGS);
    expect(overflowTrend.count).toBe(5);
    expect(overflowTrend.type).toBe('trend');
    const total = summarize(selectSeries(s, 'http.requests', {}), 1000);
    expect(total.sum).toBe(11);
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => createRegistry({ maxSeries: 0 })).toThrow(RampartError);
    expect(() => createRegistry({ maxSeries: 1.5 })).toThrow(/maxSeries/);
  });
});

describe('interval and cumulative snapshots', () => {
  it('takes what happened since the previous call and folds it into the cumulative state', () => {
    let t = 10_000;
    const r = registry({ now: () => t });
    const lat = r.trend('http.latency', { step: 'a' });
    const req = r.counter('http.requests', {});
    const err = r.rate('http.errors', {});
    lat.record(1000);
    lat.record(3000);
    req.add(1);
    req.add(1);
    err.add(false);
    err.add(true);
    t = 11_000;
    const i1 = r.takeInterval();
    expect(i1.startMs).toBe(10_000);
    expect(i1.endMs).toBe(11_000);
    expect(one(i1, 'http.latency')).toMatchObject({ count: 2, sum: 4000, min: 1000, max: 3000, unit: 'us' });
    expect(one(i1, 'http.requests')).toMatchObject({ count: 2, sum: 2 });
    expect(one(i1, 'http.errors')).toMatchObject({ count: 2, sum: 1, min: 0, max: 1 });

    lat.record(500);
    t = 12_000;
    const i2 = r.takeInterval();
    expect(i2.startMs).toBe(11_000);
    expect(i2.endMs).toBe(12_000);
    // Series without samples in the interval are left out.
    expect(i2.series.map((s) => s.metric)).toEqual(['http.latency']);
    expect(one(i2, 'http.latency')).toMatchObject({ count: 1, sum: 500, min: 500, max: 500 });

    const c = r.cumulative();
    expect(c.startMs).toBe(10_000);
    expect(c.endMs).toBe(12_000);
    expect(one(c, 'http.latency')).toMatchObject({ count: 3, sum: 4500, min: 500, max: 3000 });
    expect(one(c, 'http.requests')).toMatchObject({ count: 2, sum: 2 });
    expect(summarize([one(c, 'http.latency')], 2000).percentile(100)).toBe(3);
  });

  it('includes samples no interval took yet in the cumulative snapshot without consuming them', () => {
    let t = 0;
    const r = registry({ now: () => t });
    const lat = r.trend('x', {});
    lat.record(100);
    t = 1000;
    r.takeInterval();
    lat.record(200);
    t = 1500;
    const c = r.cumulative();
    expect(c.endMs).toBe(1500);
    expect(one(c, 'x')).toMatchObject({ count: 2, sum: 300 });
    expect(summarize([one(c, 'x')], 1500).count).toBe(2);
    t = 2000;
    expect(one(r.takeInterval(), 'x')).toMatchObject({ count: 1, sum: 200 });
    expect(one(r.cumulative(), 'x')).toMatchObject({ count: 2, sum: 300 });
  });

  it('carries gauges into every interval with their last value', () => {
    let t = 0;
    const r = registry({ now: () => t });
    const vus = r.gauge('vus', {});
    vus.set(5);
    vus.set(12);
    vus.set(8);
    t = 1000;
    expect(one(r.takeInterval(), 'vus')).toMatchObject({ count: 3, sum: 8, min: 5, max: 12, atMs: 1000 });
    t = 2000;
    expect(one(r.takeInterval(), 'vus')).toMatchObject({ count: 0, sum: 8, min: 8, max: 8, atMs: 2000 });
    vus.set(3);
    t = 3000;
    expect(one(r.takeInterval(), 'vus')).toMatchObject({ count: 1, sum: 3, min: 3, max: 3 });
    expect(one(r.cumulative(), 'vus')).toMatchObject({ count: 4, sum: 3, min: 3, max: 12 });
    const m = summarize(selectSeries(r.cumulative(), 'vus', {}), 3000);
    expect(m.rate).toBe(3);
  });

  it('ignores non-finite values and clamps the histogram, keeping exact min/max/sum', () => {
    const r = registry({ now: () => 0 });
    const lat = r.trend('t', {});
    lat.record(Number.NaN);
    lat.record(Number.POSITIVE_INFINITY);
    lat.record(-5);
    lat.record(400_000_000); // beyond 5 min
    const s = one(r.takeInterval(), 't');
    expect(s).toMatchObject({ count: 2, sum: 400_000_000 - 5, min: -5, max: 400_000_000 });
    const m = summarize([s], 1000);
    expect(m.p50).toBe(0); // the histogram saw 0 for -5 µs
    expect(m.percentile(0)).toBe(-0.005);
    // The histogram saw 5 min for 400 s; the top percentile is still within [min, max].
    expect(m.percentile(100)).toBeGreaterThanOrEqual(300_000);
    expect(m.percentile(100)).toBeLessThanOrEqual(400_000);
  });

  it('records raw trends with three decimals', () => {
    const r = registry({ now: () => 0 });
    const h = r.trend('cart.value', {}, 'raw');
    for (const v of [1.234, 2.5, 0.001]) h.record(v);
    const s = one(r.takeInterval(), 'cart.value');
    expect(s.unit).toBe('raw');
    expect(s.sum).toBeCloseTo(3.735, 9);
    const m = summarize([s], 1000);
    expect(m.min).toBe(0.001);
    expect(m.max).toBe(2.5);
    expect(m.p50).toBeCloseTo(1.234, 3);
  });

  it('refuses to work after dispose', () => {
    const r = createRegistry();
    r.trend('t', {}).record(1);
    r.dispose();
    expect(() => r.trend('u', {})).toThrow(/disposed/);
    expect(() => r.takeInterval()).toThrow(/disposed/);
    expect(() => r.cumulative()).toThrow(/disposed/);
    r.dispose(); // twice is harmless
  });
});

describe('a new registry', () => {
  it('has the WebAssembly histograms instantiated before its first sample', async () => {
    // In a fresh process: the library instantiates its module once per process. Left to the first
    // sample, the instantiation (tens of ms cold) landed inside the load of a run without warm-up.
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { fileURLToPath } = await import('node:url');
    const registryTs = fileURLToPath(new URL('../../../src/metrics/registry.ts', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      const wasm = createRequire(import.meta.url)('hdr-histogram-js/dist/wasm');
      const before = wasm.webAssemblyReady();
      const { createRegistry } = await import(${JSON.stringify(registryTs)});
      const r = createRegistry();
      console.log(JSON.stringify({ before, after: wasm.webAssemblyReady() }));
      r.dispose();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), timeout: 30_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ before: false, after: true });
  });
});
