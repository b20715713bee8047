import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRegistry } from '../../../src/metrics/registry.js';
import { mergeAll, mergeSeries, mergeSnapshots } from '../../../src/metrics/merge.js';
import { selectSeries, summarize } from '../../../src/metrics/summary.js';
import { seriesKey } from '../../../src/metrics/series-key.js';
import { decodeSnapshot, encodeSnapshot } from '../../../src/metrics/codec.js';
import { EngineError } from '../../../src/errors.js';
import type { MetricsSnapshot, SeriesSnapshot } from '../../../src/metrics/types.js';

/** One recorded event: which metric, which tag value, which (integer) value. */
interface Ev {
  m: number;
  tag: number;
  v: number;
}

const ev: fc.Arbitrary<Ev> = fc.record({
  m: fc.integer({ min: 0, max: 4 }),
  tag: fc.integer({ min: 0, max: 2 }),
  v: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 400_000_000 })),
});

function feed(events: readonly Ev[], startMs: number, endMs: number): MetricsSnapshot {
  let t = startMs;
  const r = createRegistry({ now: () => t });
  try {
    for (const e of events) {
      const tags = { step: `s${e.tag}` };
      switch (e.m) {
        case 0:
          r.trend('http.latency', tags).record(e.v);
          break;
        case 1:
          r.trend('cart.value', tags, 'raw').record(e.v % 100_000);
          break;
        case 2:
          r.counter('http.requests', tags).add(e.v % 10);
          break;
        case 3:
          r.rate('http.errors', tags).add(e.v % 3 === 0);
          break;
        default:
          r.gauge('vus', tags).set(e.v % 100);
      }
    }
    t = endMs;
    return r.takeInterval();
  } finally {
    r.dispose();
  }
}

const snapshot: fc.Arbitrary<MetricsSnapshot> = fc
  .tuple(fc.array(ev, { maxLength: 40 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }))
  .map(([events, start, len]) => feed(events, start * 1000, (start + len) * 1000));

const byKey = (s: MetricsSnapshot): Map<string, SeriesSnapshot> => new Map(s.series.map((x) => [seriesKey(x.metric, x.tags), x]));

describe('mergeSnapshots properties', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(snapshot, snapshot, (a, b) => {
        expect(mergeSnapshots(a, b)).toEqual(mergeSnapshots(b, a));
      }),
      { numRuns: 60 },
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(snapshot, snapshot, snapshot, (a, b, c) => {
        expect(mergeSnapshots(mergeSnapshots(a, b), c)).toEqual(mergeSnapshots(a, mergeSnapshots(b, c)));
      }),
      { numRuns: 60 },
    );
  });

  it('equals one registry fed the union of the samples: exact histograms and percentiles', () => {
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 60 }), fc.array(ev, { maxLength: 60 }), (ea, eb) => {
        const merged = mergeSnapshots(feed(ea, 0, 1000), feed(eb, 1000, 2000));
        const single = feed([...ea, ...eb], 0, 2000);
        expect(merged.startMs).toBe(0);
        expect(merged.endMs).toBe(2000);
        const m = byKey(merged);
        const s = byKey(single);
        expect([...m.keys()].sort()).toEqual([...s.keys()].sort());
        for (const [key, one] of s) {
          const got = m.get(key) as SeriesSnapshot;
          if (one.type === 'gauge') {
            // The later snapshot's value wins when it set the gauge.
            expect(got.count).toBe(one.count);
            expect([got.min, got.max]).toEqual([one.min, one.max]);
            continue;
          }
          expect({ ...got }).toEqual({ ...one });
          const a = summarize([got], 2000);
          const b = summarize([one], 2000);
          for (const p of [1, 25, 50, 90, 95, 99, 99.9, 100]) expect(a.percentile(p)).toBe(b.percentile(p));
        }
      }),
      { numRuns: 80 },
    );
  });

  it('survives encoding: merge of decoded snapshots equals decoded merge', () => {
    fc.assert(
      fc.property(snapshot, snapshot, (a, b) => {
        const viaText = mergeSnapshots(decodeSnapshot(encodeSnapshot(a)), decodeSnapshot(encodeSnapshot(b)));
        expect(decodeSnapshot(encodeSnapshot(mergeSnapshots(a, b)))).toEqual(viaText);
      }),
      { numRuns: 40 },
    );
  });
});

describe('mergeSnapshots examples', () => {
  it('adds counts, sums, and takes min/max; merges the percentiles exactly', () => {
    const a = feed([0, 1, 2, 3, 4].map((i) => ({ m: 0, tag: 0, v: (i + 1) * 1000 })), 0, 1000);
    const b = feed([5, 6, 7, 8, 9].map((i) => ({ m: 0, tag: 0, v: (i + 1) * 1000 })), 1000, 2000);
    const m = mergeSnapshots(a, b);
    const s = selectSeries(m, 'http.latency', {});
    expect(s[0]).toMatchObject({ count: 10, sum: 55_000, min: 1000, max: 10_000 });
    const sum = summarize(s, 2000);
    // HDR answers with the top of the value's bucket (3 significant digits): never below the truth.
    expect(sum.p50).toBeGreaterThanOrEqual(5);
    expect(sum.p50).toBeLessThanOrEqual(5 * 1.001);
    expect(sum.p90).toBeGreaterThanOrEqual(9);
    expect(sum.p90).toBeLessThanOrEqual(9 * 1.001);
    expect(sum.percentile(100)).toBe(10);
    expect(sum.rate).toBe(5);
  });

  it('keeps the latest gauge value, and adds gauge values of the same instant (agents)', () => {
    const g = (sum: number, atMs: number, min = sum, max = sum): SeriesSnapshot => ({ metric: 'vus', type: 'gauge', unit: 'count', tags: {}, count: 1, sum, min, max, atMs });
    expect(mergeSeries(g(10, 1000), g(4, 2000))).toMatchObject({ sum: 4, atMs: 2000, min: 4, max: 10, count: 2 });
    expect(mergeSeries(g(10, 3000), g(4, 2000))).toMatchObject({ sum: 10, atMs: 3000 });
    expect(mergeSeries(g(10, 2000), g(4, 2000))).toMatchObject({ sum: 14, atMs: 2000 });
    const agents = mergeAll([
      { startMs: 0, endMs: 1000, series: [{ ...g(5, 1000), atMs: undefined }] },
      { startMs: 0, endMs: 1000, series: [{ ...g(7, 1000), atMs: undefined }] },
    ]);
    expect(agents?.series[0]).toMatchObject({ sum: 12, atMs: 1000 });
    expect(mergeAll([])).toBeUndefined();
  });

  it('refuses to merge one series name recorded with two types', () => {
    const counter: SeriesSnapshot = { metric: 'x', type: 'counter', unit: 'count', tags: {}, count: 1, sum: 1, min: 1, max: 1 };
    const rate: SeriesSnapshot = { ...counter, type: 'rate' };
    expect(() => mergeSeries(counter, rate)).toThrow(EngineError);
    expect(() => mergeSnapshots({ startMs: 0, endMs: 1, series: [counter] }, { startMs: 0, endMs: 1, series: [rate] })).toThrow(/cannot merge x/);
  });

  it('cumulative equals the merge of all intervals', () => {
    fc.assert(
      fc.property(fc.array(fc.array(ev, { maxLength: 20 }), { minLength: 1, maxLength: 5 }), (batches) => {
        let t = 0;
        const r = createRegistry({ now: () => t });
        try {
          const intervals: MetricsSnapshot[] = [];
          for (const batch of batches) {
            for (const e of batch) {
              if (e.m === 0) r.trend('lat', { s: String(e.tag) }).record(e.v);
              else if (e.m === 2) r.counter('req', {}).add(e.v % 7);
              else if (e.m === 3) r.rate('err', {}).add(e.v % 2 === 0);
              else r.gauge('vus', {}).set(e.v % 50);
            }
            t += 1000;
            intervals.push(r.takeInterval());
          }
          const merged = mergeAll(intervals) as MetricsSnapshot;
          const cum = r.cumulative();
          expect(merged.startMs).toBe(cum.startMs);
          expect(merged.endMs).toBe(cum.endMs);
          expect(byKey(merged)).toEqual(byKey(cum));
        } finally {
          r.dispose();
        }
      }),
      { numRuns: 60 },
    );
  });
});
